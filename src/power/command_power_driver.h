// CommandPowerDriver: switches nodes by running a command per action, built from templates
// (command_template.h): IPMI (ipmitool ... chassis power on), ssh {host} sudo poweroff, wakeonlan
// {mac}, a cloud CLI. Start() spawns the command (no shell, own process group) and returns;
// TakeCompletions() reaps it. One command in flight per node: a request for a busy node waits
// behind the running command (node_command_queue.h), it is not rejected. A completion is OK when
// the command exited 0; DeadlineExceeded when it outlived timeout_s (SIGTERM to its group, SIGKILL
// kill_grace_s later); Unavailable when it could not run or exited non-zero (with the exit code
// and up to 200 characters of its stderr's last lines); InvalidArgument when the node lacks a
// value the template needs. QueryStatus() runs the optional status template synchronously:
//   exit 0 -> on; exit 3 -> off (LSB's "program is not running", systemctl is-active);
//   anything else, a signal or a timeout -> unknown.
// Exit 1 is not "off" because ipmitool, ssh and most CLIs exit 1 on their own errors; a status
// command built on grep writes `... | grep -q on || exit 3` inside ["sh", "-c", ...].
// Event loop thread only. Destroying the driver kills the commands still running.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "power/command_template.h"
#include "power/node_command_queue.h"
#include "power/power_driver.h"

namespace ebb::power {

struct CommandPowerDriverOptions {
  CommandTemplate on;
  CommandTemplate off;
  std::optional<CommandTemplate> status;
  core::Seconds timeout_s = 30;    // per command, also bounds QueryStatus()
  core::Seconds kill_grace_s = 5;  // SIGTERM to SIGKILL after a timeout
};

// The exit code convention of status commands, exposed for tests and documentation.
PowerStatus PowerStatusFromExit(const ExitStatus& exit);

class CommandPowerDriver final : public PowerDriver {
 public:
  CommandPowerDriver(CommandPowerDriverOptions options, const core::Clock& clock);

  void Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) override;
  void TakeCompletions(std::vector<PowerCompletion>& out) override;
  PowerStatus QueryStatus(core::NodeId node, const core::NodeSpec& spec) override;
  std::string DescribeCommand(const core::NodeSpec& spec, PowerAction action) const override;

 private:
  CommandPowerDriverOptions options_;
  NodeCommandQueue queue_;
};

// Runs a status template for `spec` to the end (bounded by timeout_s plus the kill grace) and
// maps its exit as above. Shared with WolPowerDriver.
PowerStatus RunStatusCommand(const CommandTemplate& status, const core::NodeSpec& spec,
                             core::Seconds timeout_s, core::Seconds kill_grace_s);

}  // namespace ebb::power
