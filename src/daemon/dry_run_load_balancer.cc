#include "daemon/dry_run_load_balancer.h"

namespace ebb::daemon {

core::Status DryRunLoadBalancer::Poll(lb::BackendStats& out) {
  EBB_RETURN_IF_ERROR(real_.Poll(out));
  for (lb::ServerStats& server : out.servers) {
    const auto it = would_set_.find(server.name);
    if (it == would_set_.end()) continue;
    server.admin = it->second;
    if (it->second == lb::AdminState::kMaint) {
      server.health = lb::Health::kUnknown;
      server.sessions = 0;
    }
  }
  return core::Status::Ok();
}

core::Status DryRunLoadBalancer::SetAdminState(std::string_view server, lb::AdminState state) {
  would_set_[std::string(server)] = state;
  return core::Status::Ok();
}

}  // namespace ebb::daemon
