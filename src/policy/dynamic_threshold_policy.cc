#include "policy/dynamic_threshold_policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/check.h"

namespace ebb::policy {

double DerivedUnderload(double overload, int serving_nodes) {
  if (serving_nodes <= 1) return 0;
  return overload * (serving_nodes - 1) / serving_nodes;
}

DynamicThresholdPolicy::DynamicThresholdPolicy(DynamicThresholdOptions options)
    : options_(options), underload_(options.underload_cycles) {
  EBB_CHECK(options_.overload > 0 && options_.overload <= 1);
}

Decision DynamicThresholdPolicy::Decide(const PolicyInput& input) {
  if (auto first = HoldOrScaleUpOnOverload(input, options_.overload, underload_)) {
    return *std::move(first);
  }
  const double rate = input.history->Latest().rate_rps;
  const int serving = input.serving_nodes;
  const double share = LoadShare(rate, serving, input.node_capacity_rps);
  const std::string load = DescribeLoad(rate, input);

  const double underload = DerivedUnderload(options_.overload, serving);
  const bool under = serving > 1 && share < underload;
  const std::string level =
      fmt::format("sign-off level {} (overload {} x {}/{})", FormatShare(underload),
                  FormatShare(options_.overload), serving - 1, serving);
  const int count_before = underload_.count();
  if (underload_.Record(under)) {
    return SignOff(input, options_.sign_off, rate, options_.overload,
                   fmt::format("{} < {} for {}", load, level, FormatCycles(underload_.cycles())));
  }
  if (under) {
    return Keep(input, rate,
                fmt::format("{} < {} ({} of {} cycles)", load, level, count_before + 1,
                            underload_.cycles()));
  }
  if (serving == 0)
    return Keep(input, rate, fmt::format("{} and no load: nothing to sign off", load));
  if (serving == 1) {
    return Keep(input, rate,
                fmt::format("{} <= overload {}, never sign off the last serving node", load,
                            FormatShare(options_.overload)));
  }
  return Keep(input, rate,
              fmt::format("{} between {} and overload {}", load, FormatShare(underload),
                          FormatShare(options_.overload)));
}

}  // namespace ebb::policy
