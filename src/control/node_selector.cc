#include "control/node_selector.h"

#include <algorithm>

namespace ebb::control {

using core::NodeState;

DrainOrder DrainOrderFor(lb::Algorithm algorithm) {
  return algorithm == lb::Algorithm::kFirst ? DrainOrder::kHighestFirst
                                            : DrainOrder::kFewestSessions;
}

std::vector<core::NodeId> PickToDrain(const std::vector<NodeRuntime>& nodes, int count,
                                      DrainOrder order) {
  std::vector<const NodeRuntime*> candidates;
  for (const NodeRuntime& n : nodes) {
    if (core::IsServing(n.state)) candidates.push_back(&n);
  }
  std::sort(candidates.begin(), candidates.end(),
            [order](const NodeRuntime* a, const NodeRuntime* b) {
              if (order == DrainOrder::kFewestSessions && a->sessions != b->sessions) {
                return a->sessions < b->sessions;
              }
              return a->id > b->id;
            });
  std::vector<core::NodeId> out;
  for (const NodeRuntime* n : candidates) {
    if (static_cast<int>(out.size()) == count) break;
    out.push_back(n->id);
  }
  return out;
}

std::vector<core::NodeId> PickToAdd(const std::vector<NodeRuntime>& nodes, int count) {
  auto rank = [](NodeState s) {
    switch (s) {
      case NodeState::kDraining:
        return 0;
      case NodeState::kOffline:
        return 1;
      case NodeState::kDown:
        return 2;
      default:
        return -1;  // not a candidate
    }
  };
  std::vector<const NodeRuntime*> candidates;
  for (const NodeRuntime& n : nodes) {
    if (rank(n.state) >= 0) candidates.push_back(&n);
  }
  std::sort(candidates.begin(), candidates.end(),
            [&rank](const NodeRuntime* a, const NodeRuntime* b) {
              if (rank(a->state) != rank(b->state)) return rank(a->state) < rank(b->state);
              if (a->failures != b->failures) return a->failures < b->failures;
              if (a->boots != b->boots) return a->boots < b->boots;
              return a->id < b->id;
            });
  std::vector<core::NodeId> out;
  for (const NodeRuntime* n : candidates) {
    if (static_cast<int>(out.size()) == count) break;
    out.push_back(n->id);
  }
  return out;
}

}  // namespace ebb::control
