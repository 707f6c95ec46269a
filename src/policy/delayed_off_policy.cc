#include "policy/delayed_off_policy.h"

#include <fmt/format.h>

#include "core/check.h"
#include "forecast/mean_load.h"
#include "policy/capacity.h"

namespace ebb::policy {

DelayedOffPolicy::DelayedOffPolicy(DelayedOffOptions options) : options_(options) {
  EBB_CHECK(options_.overload > 0 && options_.overload <= 1 && options_.mean_s > 0);
}

Decision DelayedOffPolicy::Decide(const PolicyInput& input) {
  if (auto hold = HoldWithoutData(input)) return *std::move(hold);
  const double newest = input.history->Latest().rate_rps;
  const double current =
      forecast::MeanLoad(*input.history, input.now, options_.mean_s).value_or(newest);
  const int need = std::min(NodesNeeded(current, input.node_capacity_rps, options_.overload),
                            std::max(0, input.total_nodes));
  const core::Seconds timer =
      options_.timer_s >= 0 ? options_.timer_s : input.model.BreakEven(input.boot_s);

  const int needed_within_timer = recent_needs_.Add(input.now, need, timer);

  const std::string why =
      fmt::format("load {} (mean of {:g} s): {} at {} of a node's capacity", FormatRate(current),
                  options_.mean_s, FormatNodes(need), FormatShare(options_.overload));
  const int coming = ServingOrBooting(input);
  if (need > coming) return ScaleUp(input, current, need, why);
  if (needed_within_timer < coming) {
    const int target = ClampTarget(needed_within_timer, input);
    return Decision{
        .target_serving = target,
        .expected_rps = current,
        .reason = fmt::format("{}; {} not needed for the timer {:.0f} s: switch off, "
                              "{} -> {}",
                              why, FormatNodes(coming - target), timer, coming, target)};
  }
  return Keep(input, current,
              fmt::format("{}; {} needed within the timer {:.0f} s", why,
                          FormatNodes(needed_within_timer), timer));
}

}  // namespace ebb::policy
