// SlaSizingPolicy ("sla-sizing"): sizes the cluster for the SLA instead of for a utilisation
// threshold. The cluster is an M/M/c queue (every node has `slots_per_node` slots serving at the
// model's service rate, with HAProxy's backend queue in front), and the target is the smallest
// number of nodes for which the share of requests answered within `sla_s` reaches `sla_target`
// (Erlang C), for the load planned a boot time ahead:
//
//   plan = max(current, current + trend * horizon) * growth quantile
//
// where `current` is the mean of the last `mean_s` seconds, the trend a least-squares line over
// `history_s` or a Holt-Winters forecast with a daily season (`forecast`), used only while its
// recent error is small (LoadForecaster; otherwise the policy sizes on the current load), and the
// growth quantile the `headroom_quantile` of how much the load has grown within a boot time in the
// past (GrowthQuantile, remembered over `memory_s`): a prediction interval from the load's own
// variability, so bursty traffic gets headroom in proportion to its burstiness and smooth traffic
// little. A forecast only ever adds capacity.
//
// It scales up at once. It scales down to what it needed over the last `hold_s` (by default the
// break-even time of a power cycle: a node idle for less is cheaper kept on, AutoScale's rule),
// and never faster than halving the cluster every `halving_s`, so that a sudden collapse of the
// load (an upstream outage) does not leave one node to meet its return.
#pragma once

#include <optional>
#include <string_view>

#include "core/time.h"
#include "forecast/growth_quantile.h"
#include "forecast/load_forecaster.h"
#include "policy/capacity.h"
#include "policy/policy.h"

namespace ebb::policy {

struct SlaSizingOptions {
  core::Seconds mean_s = 15;      // > 0: window of the current load
  core::Seconds history_s = 120;  // > 0: window of the trend
  // In (0, 1]: the quantile of the growth within a boot time. Ten times stricter than a 99.9 %
  // SLA: a surge under-served for a boot time leaves a queue that delays the requests after it.
  double headroom_quantile = 0.9999;
  core::Seconds memory_s = 86400;  // > 0: how long growth is remembered (half-life)
  core::Seconds halving_s = 600;   // > 0: the cluster shrinks at most by half in this time
  core::Seconds hold_s = -1;       // >= 0, or -1: the model's break-even time
  forecast::ForecastMethod forecast = forecast::ForecastMethod::kTrend;
};

// The smallest number of nodes for which M/M/(nodes * slots) answers `model.sla_target` of the
// requests within `model.sla_s` at `rate_rps`, capped at `max_nodes` (then not enough, and
// `enough` says so). 0 when there is no load.
struct SlaNodes {
  int nodes = 0;
  bool enough = true;
  double share = 1;  // the share answered in time with `nodes` (0 when unstable)
};
SlaNodes NodesForSla(double rate_rps, const ServiceModel& model, double service_rate,
                     int max_nodes);

class SlaSizingPolicy final : public Policy {
 public:
  explicit SlaSizingPolicy(SlaSizingOptions options);

  std::string_view Name() const override { return "sla-sizing"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  SlaSizingOptions options_;
  forecast::LoadForecaster forecaster_;
  std::optional<forecast::GrowthQuantile> growth_;
  double level_rps_ = 0;  // the recent level, for GrowthQuantile's base test
  // Scale-down memory: the needs of the last hold_s, and the halving envelope in nodes.
  SlidingMax recent_needs_;
  double envelope_nodes_ = 0;
  core::Seconds last_at_ = 0;
  bool started_ = false;
};

}  // namespace ebb::policy
