#include "lb/load_balancer.h"

#include <string>

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

core::Result<Algorithm> ParseAlgorithm(std::string_view name) {
  if (name == "roundrobin") return Algorithm::kRoundRobin;
  if (name == "leastconn") return Algorithm::kLeastConn;
  if (name == "first") return Algorithm::kFirst;
  return core::InvalidArgumentError("unknown algorithm \"" + std::string(name) +
                                    "\" (known: roundrobin, leastconn, first)");
}

std::string_view ToString(Algorithm algorithm) {
  switch (algorithm) {
    case Algorithm::kRoundRobin:
      return "roundrobin";
    case Algorithm::kLeastConn:
      return "leastconn";
    case Algorithm::kFirst:
      return "first";
  }
  return "?";
}

}  // namespace ebb::lb
