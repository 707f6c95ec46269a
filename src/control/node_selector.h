// NodeSelector: which nodes carry out a decision. To take out of rotation: the one with the fewest
// sessions (shortest drain), then the highest index (so low indexes form a stable core); under
// `balance first`, the highest index. To bring
// back: nodes already running first (a draining node is re-admitted, an OFFLINE one set ready),
// then powered-off nodes with the fewest boots (wear), then the lowest index.
#pragma once

#include <cstdint>
#include <vector>

#include "control/node_runtime.h"
#include "lb/load_balancer.h"

namespace ebb::control {

// Which serving nodes empty first. Under HAProxy's `balance first` the load packs onto the
// lowest servers and the highest ones empty first, whatever a momentary session count says:
// draining those keeps the packing and the drains short.
enum class DrainOrder : std::uint8_t {
  kFewestSessions,  // leastconn, roundrobin: the fewest sessions, then the highest index
  kHighestFirst,    // first: the highest index
};
DrainOrder DrainOrderFor(lb::Algorithm algorithm);

// Up to `count` serving nodes to drain.
std::vector<core::NodeId> PickToDrain(const std::vector<NodeRuntime>& nodes, int count,
                                      DrainOrder order = DrainOrder::kFewestSessions);
// Up to `count` nodes to bring into rotation, in the order described above.
std::vector<core::NodeId> PickToAdd(const std::vector<NodeRuntime>& nodes, int count);

}  // namespace ebb::control
