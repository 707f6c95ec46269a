// FakePowerDriver: a PowerDriver whose commands complete only when the test says so. Start()
// records "on web1" / "off web2" and leaves the command pending; Complete() releases the oldest
// pending command for a node, with an OK or a failed status, to be returned by the next
// TakeCompletions().
#pragma once

#include <string>
#include <vector>

#include "core/node.h"
#include "core/status.h"
#include "power/power_driver.h"

namespace ebb::testing {

class FakePowerDriver final : public power::PowerDriver {
 public:
  void Start(core::NodeId node, const core::NodeSpec& spec, power::PowerAction action) override;
  void TakeCompletions(std::vector<power::PowerCompletion>& out) override;

  // Releases the oldest pending command for `node` (and `action`, if given) with `status`.
  // Returns false when there is no such command.
  bool Complete(core::NodeId node, power::PowerAction action,
                core::Status status = core::Status::Ok());
  // Releases every pending command with OK.
  void CompleteAll();

  struct Pending {
    core::NodeId node = 0;
    power::PowerAction action = power::PowerAction::kOn;
  };
  const std::vector<Pending>& pending() const { return pending_; }
  // Also appends every command to `journal` (shared with other fakes); null stops it.
  void set_journal(std::vector<std::string>* journal) { journal_ = journal; }
  // Every Start() so far, in order: "on web1", "off web2".
  const std::vector<std::string>& commands() const { return commands_; }
  void ClearCommands() { commands_.clear(); }

 private:
  std::vector<Pending> pending_;
  std::vector<power::PowerCompletion> done_;
  std::vector<std::string> commands_;
  std::vector<std::string>* journal_ = nullptr;
};

}  // namespace ebb::testing
