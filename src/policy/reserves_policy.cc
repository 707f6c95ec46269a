#include "policy/reserves_policy.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/check.h"
#include "forecast/mean_load.h"
#include "policy/capacity.h"

namespace ebb::policy {

ReservesPolicy::ReservesPolicy(ReservesOptions options)
    : options_(options), forecaster_({.method = options.forecast, .history_s = options.history_s}) {
  EBB_CHECK(options_.mean_s > 0 && options_.history_s > 0 && options_.replan_share >= 0);
}

Decision ReservesPolicy::Decide(const PolicyInput& input) {
  if (auto hold = HoldWithoutData(input)) return *std::move(hold);
  const ServiceModel& model = input.model;
  const double service_time = model.ServiceTime(input.node_capacity_rps);
  if (!(service_time > 0) || input.total_nodes <= 0 || !(input.boot_s > 0)) {
    return Keep(input, 0, "no service time or boot time to plan reserves with");
  }
  const core::LoadHistory& history = *input.history;
  const double newest = history.Latest().rate_rps;
  const double current = forecast::MeanLoad(history, input.now, options_.mean_s).value_or(newest);
  // A forecast above the current load plans for a boot time ahead; a lower one, or one that has
  // been off lately, changes nothing.
  const forecast::Forecast ahead = forecaster_.Next(history, input.now, current, input.boot_s);
  const double rate = ahead.trusted ? std::max(current, ahead.rate_rps) : current;
  const queueing::ReservesParams params{
      .servers = input.total_nodes,
      .setup_rate = 1 / input.boot_s,
      .c1 = model.cost_c1,
      .c2 = model.cost_c2,
      .arrival_rate = rate,
      .service_rate = std::max(1, model.slots_per_node) / service_time};

  const bool moved = std::abs(rate - planned_rate_) > options_.replan_share * planned_rate_;
  if (!plan_ || moved || input.now - planned_at_ >= options_.replan_s) {
    core::Result<queueing::ReservesResult> planned = queueing::OptimalReserves(params);
    if (!planned.ok()) {
      // Beyond the model (lambda >= N mu): every node is needed.
      plan_.reset();
      planned_rate_ = -1;
      return ScaleUp(input, rate, input.total_nodes,
                     fmt::format("load {}: no reserves plan ({}), all nodes", FormatRate(rate),
                                 planned.status().message()));
    }
    plan_ = *planned;
    planned_rate_ = rate;
    planned_at_ = input.now;
  }
  const queueing::ReservesThresholds& t = plan_->thresholds;
  const int always_on = input.total_nodes - t.reserves;
  // The model's rule, on the nodes as they are: every reserve on once the jobs exceed U, every
  // reserve off once they are at most D, and in between the reserves stay as they are (a
  // re-plan does not by itself switch them).
  const int jobs = input.jobs_in_system;
  int reserves_on = std::clamp(ServingOrBooting(input) - always_on, 0, t.reserves);
  if (jobs > t.up) reserves_on = t.reserves;
  if (jobs <= t.down) reserves_on = 0;
  const int target = ClampTarget(always_on + reserves_on, input);
  const std::string why = fmt::format(
      "load {}, {} jobs in the system; plan m = {}, D = {}, U = {} (cost {:.3g}, L {:.3g}, S "
      "{:.3g}): {} always on + {} of {} reserves",
      FormatRate(rate), jobs, t.reserves, t.down, t.up, plan_->cost, plan_->jobs, plan_->powered,
      always_on, reserves_on, t.reserves);
  const int coming = ServingOrBooting(input);
  if (target > coming) return ScaleUp(input, rate, target, why);
  if (target < coming) {
    return Decision{.target_serving = target,
                    .expected_rps = rate,
                    .reason = fmt::format("{}: {} -> {}", why, coming, target)};
  }
  return Keep(input, rate, why);
}

}  // namespace ebb::policy
