// SimPowerDriver: power::PowerDriver over the simulated nodes. Power-on succeeds at once and the
// node boots for its boot_s (the balancer's health check turns UP at the end); power-off makes the
// node shut down for shutdown_s and completes when it draws off power. Timers run on the
// simulator's virtual event loop.
#pragma once

#include <vector>

#include "core/virtual_event_loop.h"
#include "power/power_driver.h"
#include "sim/sim_cluster.h"

namespace ebb::sim {

class SimPowerDriver final : public power::PowerDriver {
 public:
  SimPowerDriver(SimCluster& cluster, core::VirtualEventLoop& loop)
      : cluster_(cluster), loop_(loop) {}

  void Start(core::NodeId node, const core::NodeSpec& spec, power::PowerAction action) override;
  void TakeCompletions(std::vector<power::PowerCompletion>& out) override;

 private:
  SimCluster& cluster_;
  core::VirtualEventLoop& loop_;
  std::vector<power::PowerCompletion> done_;
};

}  // namespace ebb::sim
