#include <algorithm>
#include <limits>

#include "policy/policy.h"

namespace ebb::policy {

core::Seconds ServiceModel::BreakEven(core::Seconds boot_s) const {
  const double saved_per_s = power.idle_w - power.off_w;
  if (!(saved_per_s > 0)) return std::numeric_limits<double>::infinity();
  const double cycle_j =
      (power.shutdown_w - power.off_w) * shutdown_s + (power.boot_w - power.off_w) * boot_s;
  return std::max(0.0, cycle_j) / saved_per_s;
}

}  // namespace ebb::policy
