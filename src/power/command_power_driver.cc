#include "power/command_power_driver.h"

#include <utility>

namespace ebb::power {

PowerStatus PowerStatusFromExit(const ExitStatus& exit) {
  if (exit.kind != ExitStatus::Kind::kExited) return PowerStatus::kUnknown;
  if (exit.value == 0) return PowerStatus::kOn;
  if (exit.value == 3) return PowerStatus::kOff;
  return PowerStatus::kUnknown;
}

PowerStatus RunStatusCommand(const CommandTemplate& status, const core::NodeSpec& spec,
                             core::Seconds timeout_s, core::Seconds kill_grace_s) {
  core::Result<std::vector<std::string>> argv = status.Expand(spec);
  if (!argv.ok()) return PowerStatus::kUnknown;
  core::Result<SyncRunResult> run = RunToCompletion({.argv = std::move(argv).value(),
                                                     .capture_stderr = StderrCapture::kYes,
                                                     .timeout_s = timeout_s,
                                                     .kill_grace_s = kill_grace_s});
  if (!run.ok() || run->timed_out) return PowerStatus::kUnknown;
  return PowerStatusFromExit(run->exit);
}

CommandPowerDriver::CommandPowerDriver(CommandPowerDriverOptions options, const core::Clock& clock)
    : options_(std::move(options)),
      queue_(clock, {.timeout_s = options_.timeout_s, .kill_grace_s = options_.kill_grace_s}) {}

void CommandPowerDriver::Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) {
  const CommandTemplate& t = action == PowerAction::kOn ? options_.on : options_.off;
  core::Result<std::vector<std::string>> argv = t.Expand(spec);
  if (!argv.ok()) {
    queue_.Complete(node, action, argv.status());
    return;
  }
  queue_.Submit(
      {.node = node, .node_name = spec.name, .action = action, .argv = std::move(argv).value()});
}

void CommandPowerDriver::TakeCompletions(std::vector<PowerCompletion>& out) { queue_.Poll(out); }

PowerStatus CommandPowerDriver::QueryStatus(core::NodeId /*node*/, const core::NodeSpec& spec) {
  if (!options_.status) return PowerStatus::kUnknown;
  return RunStatusCommand(*options_.status, spec, options_.timeout_s, options_.kill_grace_s);
}

std::string CommandPowerDriver::DescribeCommand(const core::NodeSpec& spec,
                                                PowerAction action) const {
  const CommandTemplate& t = action == PowerAction::kOn ? options_.on : options_.off;
  core::Result<std::vector<std::string>> argv = t.Expand(spec);
  if (!argv.ok()) return argv.status().message();
  return QuoteArgv(*argv);
}

}  // namespace ebb::power
