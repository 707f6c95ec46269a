// ProcessPowerDriver: nodes that are local processes, for demos and tests (`ebb testserver` per
// node on loopback). "on" starts the node's command (a template such as ["ebb", "testserver",
// "--port", "{port}"]) in its own session, so it survives the daemon's death and its terminal's
// Ctrl-C, with stdout and stderr appended to run_dir/<node>.log. The "on" completion is OK once
// the process is still running start_confirm_s after the spawn (at the first TakeCompletions()
// after that); a program that cannot be run, or exits within that time, fails it (Unavailable,
// with the exit status and the log's last lines). "off" sends SIGTERM to the node's process
// group and SIGKILL stop_timeout_s later; with an `off` template it runs that command instead
// (bounded by timeout_s) and falls back to SIGTERM, then SIGKILL, each stop_timeout_s apart,
// if the process outlives it. The "off" completion comes once the process has exited. "on" for
// a running node and "off" for a stopped one complete OK at once. Requests for a node with an
// operation in flight wait behind it.
//
// Restarts: run_dir/<node>.pid records the pid, its start time (/proc/PID/stat) and its argv. A
// new driver instance adopts a process from its pid file only if that pid is alive with the same
// start time and /proc/PID/cmdline still shows the recorded argv (an interpreter prefix from a
// #! script is allowed), so a reused pid is never signalled; a stale pid file is removed. The
// program must therefore keep its argv (no exec wrappers, no argv rewriting). QueryStatus()
// answers from the same check: on when a verified process runs, off otherwise.
//
// Exit policy: the destructor leaves node processes running (the daemon may come back and adopt
// them); the daemon calls StopAll() when it wants them gone. Event loop thread only; nothing but
// StopAll() and QueryStatus() blocks, and those only on /proc and the pid files.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "power/child_process.h"
#include "power/command_template.h"
#include "power/power_driver.h"

namespace ebb::power {

struct ProcessPowerDriverOptions {
  CommandTemplate on;
  std::optional<CommandTemplate> off;
  std::string run_dir;                // pid files and logs; created when missing
  core::Seconds stop_timeout_s = 10;  // SIGTERM to SIGKILL
  core::Seconds start_confirm_s = 0.5;
  core::Seconds timeout_s = 30;  // the off command's
};

// InvalidArgument unless `name` can name files in run_dir (non-empty, no '/', not "." or "..").
core::Status CheckProcessNodeName(const std::string& name);

class ProcessPowerDriver final : public PowerDriver {
 public:
  // Creates run_dir; InvalidArgument naming power.run_dir when it is empty or cannot be created.
  static core::Result<std::unique_ptr<ProcessPowerDriver>> Create(ProcessPowerDriverOptions options,
                                                                  const core::Clock& clock);
  ~ProcessPowerDriver() override = default;

  void Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) override;
  void TakeCompletions(std::vector<PowerCompletion>& out) override;
  PowerStatus QueryStatus(core::NodeId node, const core::NodeSpec& spec) override;
  std::string DescribeCommand(const core::NodeSpec& spec, PowerAction action) const override;

  // Stops every node process this driver started or finds in run_dir's pid files: SIGTERM to
  // all, SIGKILL to those left after stop_timeout_s. Blocks up to stop_timeout_s plus a few
  // seconds (monotonic time); for the daemon's exit. FailedPrecondition naming the survivors.
  core::Status StopAll();

  std::string LogPath(const std::string& node_name) const;
  std::string PidPath(const std::string& node_name) const;

 private:
  // A running node process: ours (reaped through `child`) or adopted from a pid file.
  struct NodeProcess {
    pid_t pid = -1;
    std::uint64_t start_ticks = 0;
    std::vector<std::string> argv;
    std::unique_ptr<ChildProcess> child;
    std::optional<ExitStatus> exit;  // ours, once reaped
  };
  enum class Phase : std::uint8_t { kIdle, kConfirming, kRunningOff, kStopping };
  struct Node {
    core::NodeSpec spec;
    std::optional<NodeProcess> process;
    Phase phase = Phase::kIdle;
    PowerAction action = PowerAction::kOn;  // the one in flight
    core::Seconds deadline = 0;
    std::deque<int> signals_left;  // sent one per deadline while stopping
    std::unique_ptr<ChildProcess> off_command;
    std::deque<PowerAction> waiting;
  };

  ProcessPowerDriver(ProcessPowerDriverOptions options, const core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}

  void Dispatch(core::NodeId id, Node& node);
  void Advance(core::NodeId id, Node& node);
  void StartProcess(core::NodeId id, Node& node);
  void BeginStop(Node& node, bool signal_now);
  void Complete(core::NodeId id, Node& node, core::Status status);
  // Forgets a process that exited (and its pid file); adopts one from the pid file if none is
  // tracked. False when the pid file exists but cannot be read.
  bool Refresh(Node& node);
  bool Alive(NodeProcess& process);
  void Signal(NodeProcess& process, int signal);

  ProcessPowerDriverOptions options_;
  const core::Clock& clock_;
  std::map<core::NodeId, Node> nodes_;
  std::vector<PowerCompletion> done_;
};

}  // namespace ebb::power
