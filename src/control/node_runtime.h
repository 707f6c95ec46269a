// NodeRuntime: the controller's view of one node: its state, since when, the deadline of a
// transitional state, and counters that the selector and the metrics use.
#pragma once

#include <cstdint>
#include <limits>

#include "core/node.h"

namespace ebb::control {

struct NodeRuntime {
  core::NodeId id = 0;
  core::NodeState state = core::NodeState::kUnknown;
  core::Seconds since = 0;
  core::Seconds deadline = std::numeric_limits<double>::infinity();
  int sessions = 0;
  std::uint64_t boots = 0;
  std::uint64_t failures = 0;  // boots or power-offs that timed out or failed
};

}  // namespace ebb::control
