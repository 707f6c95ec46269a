#include "workload/service_time.h"

namespace ebb::workload {

core::Result<ServiceTimeKind> ParseServiceTimeKind(std::string_view name) {
  if (name == "exponential") return ServiceTimeKind::kExponential;
  if (name == "deterministic") return ServiceTimeKind::kDeterministic;
  if (name == "lognormal") return ServiceTimeKind::kLogNormal;
  return core::InvalidArgumentError("unknown distribution \"" + std::string(name) +
                                    "\" (known: exponential, deterministic, lognormal)");
}

std::string_view ToString(ServiceTimeKind kind) {
  switch (kind) {
    case ServiceTimeKind::kExponential:
      return "exponential";
    case ServiceTimeKind::kDeterministic:
      return "deterministic";
    case ServiceTimeKind::kLogNormal:
      return "lognormal";
  }
  return "?";
}

}  // namespace ebb::workload
