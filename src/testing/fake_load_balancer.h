// FakeLoadBalancer: a scriptable LoadBalancer for tests. The test sets each server's health,
// admin state and sessions, the backend's cumulative request count, and can make polls fail.
// Poll() answers with the clock's time (minus an optional lag, to make the data look stale).
// Every SetAdminState call is recorded as "server:state" ("web2:drain"), failed ones too; a
// successful call changes the server's admin state, as HAProxy would.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "lb/load_balancer.h"

namespace ebb::testing {

class FakeLoadBalancer final : public lb::LoadBalancer {
 public:
  // Servers start health DOWN, admin ready, no sessions, in the order given.
  FakeLoadBalancer(const core::Clock& clock, std::vector<std::string> names);

  core::Status Poll(lb::BackendStats& out) override;
  core::Status SetAdminState(std::string_view server, lb::AdminState state) override;

  // Scripting. `name` must be one of the servers.
  lb::ServerStats& server(std::string_view name);
  void SetHealth(std::string_view name, lb::Health health) { server(name).health = health; }
  void SetAdmin(std::string_view name, lb::AdminState admin) { server(name).admin = admin; }
  void SetSessions(std::string_view name, int sessions) { server(name).sessions = sessions; }
  // Shorthand: health UP and admin ready, with `sessions` sessions.
  void SetServing(std::string_view name, int sessions = 0);
  // Shorthand: health DOWN and admin maint (a powered-off server).
  void SetOff(std::string_view name);

  void set_requests_total(std::uint64_t total) { requests_total_ = total; }
  void AddRequests(std::uint64_t count) { requests_total_ += count; }
  std::uint64_t requests_total() const { return requests_total_; }
  void set_queued(int queued) { queued_ = queued; }
  // The answer's `at` is the clock's time minus `lag_s`.
  void set_answer_lag(core::Seconds lag_s) { lag_s_ = lag_s; }
  // Polls fail with `status` until ClearPollFailure(); `status` must not be OK.
  void FailPolls(core::Status status);
  void ClearPollFailure() { poll_failure_ = core::Status::Ok(); }
  // The next SetAdminState on `name` fails with `status` (once).
  void FailNextAdminCommand(std::string_view name, core::Status status);
  // Reports `count` extra servers (or fewer with a negative count) to exercise mismatches.
  void set_server_count_skew(int skew) { skew_ = skew; }

  // Also appends every SetAdminState record to `journal` (shared with other fakes, to check the
  // order of commands across them); null stops it.
  void set_journal(std::vector<std::string>* journal) { journal_ = journal; }

  const std::vector<std::string>& admin_commands() const { return admin_commands_; }
  void ClearAdminCommands() { admin_commands_.clear(); }
  int polls() const { return polls_; }

 private:
  const core::Clock& clock_;
  std::vector<lb::ServerStats> servers_;
  std::uint64_t requests_total_ = 0;
  int queued_ = 0;
  core::Seconds lag_s_ = 0;
  core::Status poll_failure_;
  std::map<std::string, core::Status, std::less<>> admin_failures_;
  int skew_ = 0;
  std::vector<std::string> admin_commands_;
  std::vector<std::string>* journal_ = nullptr;
  int polls_ = 0;
};

}  // namespace ebb::testing
