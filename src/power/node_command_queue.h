// NodeCommandQueue: runs power commands for many nodes, at most one in flight per node. A request
// for a node whose command is still running waits behind it (FIFO), so "off" after a hung "on"
// runs once the "on" has finished or timed out, never beside it. A request is either a templated
// command (a child process, see child_process.h) or an instant action (a Wake-on-LAN packet) that
// completes when dispatched. Completions name the node, the action and the program:
//   DeadlineExceeded  the command outlived its timeout (then SIGTERM, SIGKILL after the grace)
//   Unavailable       it could not be run, or it exited non-zero (exit code, stderr's last lines)
// Shared by CommandPowerDriver and WolPowerDriver; event loop thread only; Poll() never blocks.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "power/child_process.h"
#include "power/power_driver.h"

namespace ebb::power {

struct NodeCommand {
  core::NodeId node = 0;
  std::string node_name;
  PowerAction action = PowerAction::kOn;
  std::vector<std::string> argv;          // a command to run, or
  std::function<core::Status()> instant;  // an action that completes at once (argv empty)
};

class NodeCommandQueue {
 public:
  struct Options {
    core::Seconds timeout_s = 30;
    core::Seconds kill_grace_s = 5;
  };
  NodeCommandQueue(const core::Clock& clock, Options options) : clock_(clock), options_(options) {}

  // Runs `command` now if its node is idle, else queues it behind the node's running command.
  void Submit(NodeCommand command);
  // Reaps finished commands, enforces timeouts, starts queued ones; appends completions.
  void Poll(std::vector<PowerCompletion>& out);
  // Appends a completion produced without running anything (a template that does not expand).
  void Complete(core::NodeId node, PowerAction action, core::Status status);
  bool Busy(core::NodeId node) const;

 private:
  struct NodeQueue {
    std::unique_ptr<ChildProcess> running;
    NodeCommand running_command;
    std::deque<NodeCommand> waiting;
  };
  // Starts commands from the front of `queue` until one is running or the queue is empty.
  void Dispatch(NodeQueue& queue);
  core::Status Finished(const NodeCommand& command, ChildProcess& child, const ExitStatus& exit);

  const core::Clock& clock_;
  Options options_;
  std::map<core::NodeId, NodeQueue> nodes_;
  std::vector<PowerCompletion> done_;
};

// "node web1: power on: " — the prefix of every command completion's message.
std::string CommandContext(std::string_view node_name, PowerAction action);

}  // namespace ebb::power
