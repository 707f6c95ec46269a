// NodeSelector: which nodes carry out a decision. To take out of rotation: the one with the fewest
// sessions (shortest drain), then the highest index (so low indexes form a stable core). To bring
// back: nodes already running first (a draining node is re-admitted, an OFFLINE one set ready),
// then powered-off nodes with the fewest boots (wear), then the lowest index.
#pragma once

#include <vector>

#include "control/node_runtime.h"

namespace ebb::control {

// Up to `count` serving nodes to drain.
std::vector<core::NodeId> PickToDrain(const std::vector<NodeRuntime>& nodes, int count);
// Up to `count` nodes to bring into rotation, in the order described above.
std::vector<core::NodeId> PickToAdd(const std::vector<NodeRuntime>& nodes, int count);

}  // namespace ebb::control
