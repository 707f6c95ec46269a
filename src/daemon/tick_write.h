// MakeTickWrite: what one tick of the daemon gives the state store — the nodes that changed
// since the last commit that succeeded (`saved`), a transition for each state change with the
// node's "why", and the decision with the cooldown times it implies. The daemon and its cost
// benchmark build the write the same way.
#pragma once

#include <optional>
#include <vector>

#include "control/controller.h"
#include "control/decision_record.h"
#include "core/node.h"
#include "store/state_store.h"

namespace ebb::daemon {

store::TickWrite MakeTickWrite(core::Seconds now, const std::vector<core::NodeSpec>& specs,
                               const control::Controller& controller,
                               const std::vector<control::NodeRuntime>& saved,
                               std::optional<control::DecisionRecord> decision);

}  // namespace ebb::daemon
