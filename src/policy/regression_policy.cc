#include "policy/regression_policy.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "core/check.h"
#include "forecast/linear_regression.h"
#include "forecast/mean_load.h"
#include "policy/dynamic_threshold_policy.h"

namespace ebb::policy {

RegressionPolicy::RegressionPolicy(RegressionOptions options)
    : options_(options), underload_(options.underload_cycles) {
  EBB_CHECK(options_.overload > 0 && options_.overload <= 1);
  EBB_CHECK(options_.history_s > 0 && options_.epsilon_s >= 0);
  EBB_CHECK(options_.current_load != CurrentLoad::kWindowMean || options_.mean_s > 0);
}

std::string_view RegressionPolicy::Name() const {
  return options_.current_load == CurrentLoad::kWindowMean ? "regression-mean" : "regression";
}

Decision RegressionPolicy::Decide(const PolicyInput& input) {
  if (auto hold = HoldWithoutData(input)) {
    underload_.Reset();
    return *std::move(hold);
  }
  const core::LoadHistory& history = *input.history;
  const int serving = input.serving_nodes;
  const double capacity = input.node_capacity_rps;

  double current = history.Latest().rate_rps;
  std::string note;
  if (options_.current_load == CurrentLoad::kWindowMean) {
    // A window without samples (a gap in the data) falls back to the newest sample.
    if (const std::optional<double> mean =
            forecast::MeanLoad(history, input.now, options_.mean_s)) {
      current = *mean;
      note = fmt::format("mean of {:g} s", options_.mean_s);
    }
  }
  const forecast::LinearFit fit = forecast::FitLine(history, input.now, options_.history_s);
  const double slope = fit.slope_rps_per_s;
  const core::Seconds horizon = input.boot_s + options_.epsilon_s;
  const double expected = std::max(0.0, current + slope * horizon);
  const double overload_rate = options_.overload * serving * capacity;
  const double free = overload_rate - current;
  const std::string load = DescribeLoad(current, input, note);

  if (current > 0 && free <= 0) {
    underload_.Reset();
    const int need = std::max(NodesNeeded(current, capacity, options_.overload), serving + 1);
    return ScaleUp(input, current, need,
                   serving == 0
                       ? load
                       : fmt::format("{} >= overload {}", load, FormatShare(options_.overload)));
  }
  if (slope > 0) {
    const core::Seconds time_to_overload = free / slope;
    if (time_to_overload < horizon) {
      underload_.Reset();
      const int need = std::max(NodesNeeded(expected, capacity, options_.overload), serving + 1);
      return ScaleUp(
          input, expected, need,
          fmt::format("{}, trend {}: overload {} of {} ({}) in {:.1f} s < boot {:g} s + margin "
                      "{:g} s, expected {}",
                      load, FormatSlope(slope), FormatShare(options_.overload),
                      FormatNodes(serving), FormatRate(overload_rate), time_to_overload,
                      input.boot_s, options_.epsilon_s, FormatRate(expected)));
    }
  }

  // Scale down on the larger of now and a boot time ahead.
  const double judged = std::max(current, expected);
  const double share = LoadShare(judged, serving, capacity);
  const double underload = DerivedUnderload(options_.overload, serving);
  const bool under = serving > 1 && share < underload;
  std::string outlook = fmt::format("{}, trend {}, expected {} in {:g} s", load, FormatSlope(slope),
                                    FormatRate(expected), horizon);
  if (serving > 0) {
    outlook += fmt::format(" = {}", FormatShare(LoadShare(expected, serving, capacity)));
  }
  const std::string level =
      fmt::format("sign-off level {} (overload {} x {}/{})", FormatShare(underload),
                  FormatShare(options_.overload), serving - 1, serving);
  const int count_before = underload_.count();
  if (underload_.Record(under)) {
    return SignOff(input, options_.sign_off, judged, options_.overload,
                   fmt::format("{}; {} < {} for {}", outlook, FormatShare(share), level,
                               FormatCycles(underload_.cycles())));
  }
  if (under) {
    return Keep(input, judged,
                fmt::format("{}; {} < {} ({} of {} cycles)", outlook, FormatShare(share), level,
                            count_before + 1, underload_.cycles()));
  }
  if (serving == 0) return Keep(input, judged, fmt::format("{}; no node to sign off", outlook));
  if (serving == 1) {
    return Keep(input, judged, fmt::format("{}; never sign off the last serving node", outlook));
  }
  return Keep(input, judged,
              fmt::format("{}; {} not under {}", outlook, FormatShare(share), level));
}

}  // namespace ebb::policy
