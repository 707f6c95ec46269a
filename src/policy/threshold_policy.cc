#include "policy/threshold_policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/check.h"

namespace ebb::policy {

ThresholdPolicy::ThresholdPolicy(ThresholdOptions options)
    : options_(options), underload_(options.underload_cycles) {
  EBB_CHECK(options_.overload > 0 && options_.overload <= 1);
  EBB_CHECK(options_.underload >= 0 && options_.underload < options_.overload);
}

Decision ThresholdPolicy::Decide(const PolicyInput& input) {
  if (auto first = HoldOrScaleUpOnOverload(input, options_.overload, underload_)) {
    return *std::move(first);
  }
  const double rate = input.history->Latest().rate_rps;
  const int serving = input.serving_nodes;
  const double share = LoadShare(rate, serving, input.node_capacity_rps);
  const std::string load = DescribeLoad(rate, input);

  // With no serving node there is nothing to sign off.
  const bool under = serving > 0 && share < options_.underload;
  const int count_before = underload_.count();
  if (underload_.Record(under)) {
    return SignOff(input, options_.sign_off, rate, options_.overload,
                   fmt::format("{} < underload {} for {}", load, FormatShare(options_.underload),
                               FormatCycles(underload_.cycles())));
  }
  if (under) {
    return Keep(
        input, rate,
        fmt::format("{} < underload {} ({} of {} cycles)", load, FormatShare(options_.underload),
                    count_before + 1, underload_.cycles()));
  }
  if (serving == 0)
    return Keep(input, rate, fmt::format("{} and no load: nothing to sign off", load));
  return Keep(input, rate,
              fmt::format("{} within underload {} and overload {}", load,
                          FormatShare(options_.underload), FormatShare(options_.overload)));
}

}  // namespace ebb::policy
