#include "sim/sim_power_driver.h"

namespace ebb::sim {

using power::PowerAction;

void SimPowerDriver::Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) {
  const core::Seconds now = loop_.Now();
  if (action == PowerAction::kOn) {
    if (cluster_.power(node) == SimCluster::Power::kOff) {
      cluster_.BeginBoot(node, now);
      loop_.ScheduleAt(now + spec.boot_s, [this, node] { cluster_.FinishBoot(node, loop_.Now()); });
    }
    done_.push_back({.node = node, .action = action, .status = core::Status::Ok()});
    return;
  }
  cluster_.BeginShutdown(node, now);
  loop_.ScheduleAt(now + spec.shutdown_s, [this, node, action] {
    cluster_.FinishShutdown(node, loop_.Now());
    done_.push_back({.node = node, .action = action, .status = core::Status::Ok()});
  });
}

void SimPowerDriver::TakeCompletions(std::vector<power::PowerCompletion>& out) {
  out.insert(out.end(), done_.begin(), done_.end());
  done_.clear();
}

}  // namespace ebb::sim
