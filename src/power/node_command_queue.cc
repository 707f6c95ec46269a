#include "power/node_command_queue.h"

#include <fmt/format.h>

#include <utility>

namespace ebb::power {

std::string CommandContext(std::string_view node_name, PowerAction action) {
  return fmt::format("node {}: power {}", node_name, ToString(action));
}

void NodeCommandQueue::Submit(NodeCommand command) {
  NodeQueue& queue = nodes_[command.node];
  queue.waiting.push_back(std::move(command));
  if (!queue.running) Dispatch(queue);
}

void NodeCommandQueue::Complete(core::NodeId node, PowerAction action, core::Status status) {
  done_.push_back({.node = node, .action = action, .status = std::move(status)});
}

bool NodeCommandQueue::Busy(core::NodeId node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && (it->second.running || !it->second.waiting.empty());
}

void NodeCommandQueue::Dispatch(NodeQueue& queue) {
  while (!queue.running && !queue.waiting.empty()) {
    NodeCommand command = std::move(queue.waiting.front());
    queue.waiting.pop_front();
    const std::string context = CommandContext(command.node_name, command.action);
    if (command.argv.empty()) {
      core::Status status =
          command.instant ? command.instant() : core::InternalError("nothing to run");
      Complete(command.node, command.action, status.WithContext(context));
      continue;
    }
    core::Result<std::unique_ptr<ChildProcess>> child =
        ChildProcess::Spawn({.argv = command.argv,
                             .capture_stderr = StderrCapture::kYes,
                             .grouping = ProcessGrouping::kNewProcessGroup,
                             .timeout_s = options_.timeout_s,
                             .kill_grace_s = options_.kill_grace_s,
                             .on_destroy = OnDestroy::kKill},
                            clock_);
    if (!child.ok()) {
      Complete(command.node, command.action, child.status().WithContext(context));
      continue;
    }
    queue.running = std::move(child).value();
    queue.running_command = std::move(command);
  }
}

core::Status NodeCommandQueue::Finished(const NodeCommand& command, ChildProcess& child,
                                        const ExitStatus& exit) {
  const std::string context = CommandContext(command.node_name, command.action);
  const std::string& program = command.argv[0];
  if (child.timed_out()) {
    return core::Status(core::StatusCode::kDeadlineExceeded,
                        fmt::format("{}: {} timed out after {} s ({})", context, program,
                                    options_.timeout_s, exit.ToString()));
  }
  if (exit.Succeeded()) return core::Status::Ok();
  const std::string tail = child.StderrTail(200);
  return core::UnavailableError(fmt::format("{}: {} failed with {}{}{}", context, program,
                                            exit.ToString(), tail.empty() ? "" : ": ", tail));
}

void NodeCommandQueue::Poll(std::vector<PowerCompletion>& out) {
  for (auto& [node, queue] : nodes_) {
    if (queue.running) {
      if (std::optional<ExitStatus> exit = queue.running->Poll()) {
        Complete(node, queue.running_command.action,
                 Finished(queue.running_command, *queue.running, *exit));
        queue.running.reset();
      }
    }
    if (!queue.running) Dispatch(queue);
  }
  out.insert(out.end(), std::make_move_iterator(done_.begin()),
             std::make_move_iterator(done_.end()));
  done_.clear();
}

}  // namespace ebb::power
