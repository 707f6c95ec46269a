#include "testing/fake_power_driver.h"

#include <utility>

namespace ebb::testing {

void FakePowerDriver::Start(core::NodeId node, const core::NodeSpec& spec,
                            power::PowerAction action) {
  commands_.push_back(std::string(power::ToString(action)) + " " + spec.name);
  if (journal_ != nullptr) journal_->push_back(commands_.back());
  pending_.push_back({.node = node, .action = action});
}

void FakePowerDriver::TakeCompletions(std::vector<power::PowerCompletion>& out) {
  for (power::PowerCompletion& c : done_) out.push_back(std::move(c));
  done_.clear();
}

bool FakePowerDriver::Complete(core::NodeId node, power::PowerAction action, core::Status status) {
  for (auto it = pending_.begin(); it != pending_.end(); ++it) {
    if (it->node == node && it->action == action) {
      done_.push_back({.node = node, .action = action, .status = std::move(status)});
      pending_.erase(it);
      return true;
    }
  }
  return false;
}

void FakePowerDriver::CompleteAll() {
  for (const Pending& p : pending_) done_.push_back({.node = p.node, .action = p.action});
  pending_.clear();
}

}  // namespace ebb::testing
