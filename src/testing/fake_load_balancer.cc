#include "testing/fake_load_balancer.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "core/check.h"

namespace ebb::testing {

FakeLoadBalancer::FakeLoadBalancer(const core::Clock& clock, std::vector<std::string> names)
    : clock_(clock) {
  for (std::string& name : names) {
    servers_.push_back(lb::ServerStats{.name = std::move(name)});
  }
}

core::Status FakeLoadBalancer::Poll(lb::BackendStats& out) {
  ++polls_;
  if (!poll_failure_.ok()) return poll_failure_;
  out.at = clock_.Now() - lag_s_;
  out.requests_total = requests_total_;
  out.queued = queued_;
  out.servers = servers_;
  if (skew_ > 0) {
    for (int i = 0; i < skew_; ++i) out.servers.push_back(lb::ServerStats{.name = "extra"});
  } else if (skew_ < 0) {
    const std::size_t drop = std::min(out.servers.size(), static_cast<std::size_t>(-skew_));
    out.servers.resize(out.servers.size() - drop);
  }
  return core::Status::Ok();
}

core::Status FakeLoadBalancer::SetAdminState(std::string_view name, lb::AdminState state) {
  admin_commands_.push_back(std::string(name) + ":" + std::string(lb::ToString(state)));
  if (journal_ != nullptr) journal_->push_back(admin_commands_.back());
  if (auto it = admin_failures_.find(name); it != admin_failures_.end()) {
    core::Status status = it->second;
    admin_failures_.erase(it);
    return status;
  }
  for (lb::ServerStats& s : servers_) {
    if (s.name == name) {
      s.admin = state;
      return core::Status::Ok();
    }
  }
  return core::NotFoundError("no server " + std::string(name));
}

lb::ServerStats& FakeLoadBalancer::server(std::string_view name) {
  for (lb::ServerStats& s : servers_) {
    if (s.name == name) return s;
  }
  EBB_CHECK(false && "unknown server");
  std::abort();
}

void FakeLoadBalancer::SetServing(std::string_view name, int sessions) {
  lb::ServerStats& s = server(name);
  s.health = lb::Health::kUp;
  s.admin = lb::AdminState::kReady;
  s.sessions = sessions;
}

void FakeLoadBalancer::SetOff(std::string_view name) {
  lb::ServerStats& s = server(name);
  s.health = lb::Health::kDown;
  s.admin = lb::AdminState::kMaint;
  s.sessions = 0;
}

void FakeLoadBalancer::FailPolls(core::Status status) {
  EBB_CHECK(!status.ok());
  poll_failure_ = std::move(status);
}

void FakeLoadBalancer::FailNextAdminCommand(std::string_view name, core::Status status) {
  EBB_CHECK(!status.ok());
  admin_failures_.insert_or_assign(std::string(name), std::move(status));
}

}  // namespace ebb::testing
