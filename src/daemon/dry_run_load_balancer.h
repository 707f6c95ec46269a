// DryRunLoadBalancer: `ebb run --dry-run`'s view of the balancer. Polls go to the real HAProxy
// (the load is real); admin-state changes are recorded, not sent. Each poll then shows the
// servers as ebb would have left them: the admin state it would have set, and, for a server it
// would have put in maint (and powered off), no health check, as HAProxy would show it. So the
// controller makes every decision it would make live, while the cluster keeps serving as it is.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lb/load_balancer.h"

namespace ebb::daemon {

class DryRunLoadBalancer final : public lb::LoadBalancer {
 public:
  explicit DryRunLoadBalancer(lb::LoadBalancer& real) : real_(real) {}

  core::Status Poll(lb::BackendStats& out) override;
  core::Status SetAdminState(std::string_view server, lb::AdminState state) override;

 private:
  lb::LoadBalancer& real_;
  std::unordered_map<std::string, lb::AdminState> would_set_;
};

}  // namespace ebb::daemon
