#include "core/node.h"

namespace ebb::core {

std::string_view ToString(NodeState state) {
  switch (state) {
    case NodeState::kUnknown:
      return "UNKNOWN";
    case NodeState::kBusy:
      return "BUSY";
    case NodeState::kOnline:
      return "ONLINE";
    case NodeState::kOffline:
      return "OFFLINE";
    case NodeState::kDown:
      return "DOWN";
    case NodeState::kBooting:
      return "BOOTING";
    case NodeState::kDraining:
      return "DRAINING";
    case NodeState::kPoweringOff:
      return "POWERING_OFF";
  }
  return "?";
}

}  // namespace ebb::core
