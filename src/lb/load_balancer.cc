#include "lb/load_balancer.h"

namespace ebb::lb {

std::string_view ToString(AdminState state) {
  switch (state) {
    case AdminState::kReady:
      return "ready";
    case AdminState::kDrain:
      return "drain";
    case AdminState::kMaint:
      return "maint";
  }
  return "?";
}

std::string_view ToString(Health health) {
  switch (health) {
    case Health::kUp:
      return "UP";
    case Health::kDown:
      return "DOWN";
    case Health::kUnknown:
      return "UNKNOWN";
  }
  return "?";
}

}  // namespace ebb::lb
