#include "metrics/cost_meter.h"

#include <cmath>

#include <fmt/format.h>

namespace ebb::metrics {

CostMeter::CostMeter(CostOptions options) : options_(options) {}

core::Status CostMeter::Sample(core::Seconds t, double jobs, double powered_nodes) {
  if (!(jobs >= 0) || !(powered_nodes >= 0) || !std::isfinite(jobs) ||
      !std::isfinite(powered_nodes)) {
    return core::InvalidArgumentError(fmt::format(
        "cost sample at {}: jobs ({}) and powered nodes ({}) must be finite and not negative", t,
        jobs, powered_nodes));
  }
  // The cost first: it checks the time, so the three meters accept or refuse together.
  EBB_RETURN_IF_ERROR(cost_rate_.Add(t, options_.c1 * jobs + options_.c2 * powered_nodes)
                          .WithContext("cost sample"));
  (void)jobs_.Add(t, jobs);
  (void)powered_.Add(t, powered_nodes);
  return core::Status::Ok();
}

}  // namespace ebb::metrics
