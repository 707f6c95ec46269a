#include "daemon/tick_write.h"

#include <fmt/format.h>

namespace ebb::daemon {

store::TickWrite MakeTickWrite(core::Seconds now, const std::vector<core::NodeSpec>& specs,
                               const control::Controller& controller,
                               const std::vector<control::NodeRuntime>& saved,
                               std::optional<control::DecisionRecord> decision) {
  store::TickWrite write;
  write.at = now;
  const auto& nodes = controller.nodes();
  const auto& why = controller.why();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const control::NodeRuntime& node = nodes[i];
    const control::NodeRuntime& before = saved[i];
    const bool changed = node.state != before.state || node.since != before.since ||
                         node.deadline != before.deadline || node.boots != before.boots ||
                         node.failures != before.failures;
    if (!changed) continue;
    write.nodes.push_back({.name = specs[i].name,
                           .state = node.state,
                           .since = node.since,
                           .deadline = node.deadline,
                           .boots = node.boots,
                           .failures = node.failures});
    if (node.state != before.state) {
      write.transitions.push_back({.at = now,
                                   .node = specs[i].name,
                                   .from = before.state,
                                   .to = node.state,
                                   .reason = why[i]});
    }
  }
  if (decision) {
    write.decision = std::move(decision);
    write.meta.emplace_back("last_up_at", fmt::format("{:.6f}", controller.last_up_at()));
    write.meta.emplace_back("last_any_at", fmt::format("{:.6f}", controller.last_any_at()));
  }
  return write;
}

}  // namespace ebb::daemon
