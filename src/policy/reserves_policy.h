// ReservesPolicy ("reserves"): the server reserves of Mitrani and Mazzucco (GreenMetrics 2012)
// in the controller. Each node is a server of the model (service rate = its slots / the service
// time), the setup rate is 1 / boot_s, and c1, c2 are the [cost] weights. From the arrival rate
// (the mean of the last `mean_s` seconds, or the forecast a boot time ahead when it is higher and
// its recent error small: `forecast` = trend or holt-winters, see LoadForecaster) it
// plans the optimal (m, D, U) (queueing::OptimalReserves) and re-plans when the rate has moved
// by more than `replan_share` since, or `replan_s` has passed. n = N - m nodes stay on; the m
// reserves are all wanted once the jobs in the system (HAProxy's sessions and queue) exceed U
// and none once they are at most D, and the controller carries that out node by node (each
// reserve boots, joins and drains on its own, within the guard's limits; there is no block
// state), so reserves already on stay between D and U.
#pragma once

#include <optional>
#include <string_view>

#include "core/time.h"
#include "forecast/load_forecaster.h"
#include "policy/policy.h"
#include "queueing/reserves_model.h"

namespace ebb::policy {

struct ReservesOptions {
  core::Seconds mean_s = 15;      // > 0: window of the arrival rate
  core::Seconds history_s = 120;  // > 0: window of the trend
  double replan_share = 0.05;     // re-plan when the rate moved by this share
  core::Seconds replan_s = 300;   // and at least this often
  forecast::ForecastMethod forecast = forecast::ForecastMethod::kTrend;
};

class ReservesPolicy final : public Policy {
 public:
  explicit ReservesPolicy(ReservesOptions options);

  std::string_view Name() const override { return "reserves"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  ReservesOptions options_;
  forecast::LoadForecaster forecaster_;
  std::optional<queueing::ReservesResult> plan_;
  double planned_rate_ = -1;
  core::Seconds planned_at_ = 0;
};

}  // namespace ebb::policy
