#include "policy/sla_sizing_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "core/check.h"
#include "forecast/mean_load.h"
#include "policy/capacity.h"
#include "queueing/erlang_c.h"

namespace ebb::policy {

SlaNodes NodesForSla(double rate_rps, const ServiceModel& model, double service_rate,
                     int max_nodes) {
  if (!(rate_rps > 0)) return {.nodes = 0, .enough = true, .share = 1};
  const int slots = std::max(1, model.slots_per_node);
  // In 64 bits: a thousand nodes of a million slots each must not wrap.
  const auto servers_of = [slots](int nodes) {
    return static_cast<int>(std::min<std::int64_t>(std::int64_t{nodes} * slots, 1 << 30));
  };
  const int max_servers = servers_of(max_nodes);
  const int servers = queueing::ServersForShare(rate_rps, service_rate, model.sla_s,
                                                std::min(model.sla_target, 1 - 1e-12), max_servers);
  SlaNodes out;
  out.enough = servers <= max_servers;
  out.nodes = static_cast<int>(std::clamp<std::int64_t>((std::int64_t{servers} + slots - 1) / slots,
                                                        1, std::max(1, max_nodes)));
  out.share = queueing::ShareWithin(servers_of(out.nodes), rate_rps, service_rate, model.sla_s);
  return out;
}

SlaSizingPolicy::SlaSizingPolicy(SlaSizingOptions options)
    : options_(options), forecaster_({.method = options.forecast, .history_s = options.history_s}) {
  EBB_CHECK(options_.mean_s > 0 && options_.history_s > 0 && options_.memory_s > 0);
  EBB_CHECK(options_.headroom_quantile > 0 && options_.headroom_quantile <= 1);
  EBB_CHECK(options_.halving_s > 0);
}

Decision SlaSizingPolicy::Decide(const PolicyInput& input) {
  if (auto hold = HoldWithoutData(input)) return *std::move(hold);
  const ServiceModel& model = input.model;
  const double service_time = model.ServiceTime(input.node_capacity_rps);
  if (!(service_time > 0)) {
    return Keep(input, 0, "no service time to size with (give policy.service_time_s)");
  }
  const double service_rate = 1 / service_time;
  const core::LoadHistory& history = *input.history;
  const core::Seconds now = input.now;
  const core::Seconds horizon = input.boot_s + input.interval_s;

  const double newest = history.Latest().rate_rps;
  const double current = forecast::MeanLoad(history, now, options_.mean_s).value_or(newest);
  if (!growth_) {
    // One request per smoothing window keeps ratios near zero load finite.
    growth_.emplace(forecast::GrowthQuantileOptions{
        .horizon_s = horizon, .memory_s = options_.memory_s, .floor_rps = 1 / options_.mean_s});
  }
  // The recent level follows rises at once and falls over a memory, so an outage stays far
  // below it and is no base for growth.
  const double dt = started_ ? std::max(0.0, now - last_at_) : 0;
  level_rps_ = std::max(current, level_rps_ * std::exp2(-dt / options_.memory_s));
  growth_->Add(now, current, level_rps_);

  const forecast::Forecast ahead = forecaster_.Next(history, now, current, horizon);
  const double trend = ahead.trusted ? std::max(current, ahead.rate_rps) : current;
  const double growth = growth_->Quantile(options_.headroom_quantile);
  const double plan = std::max(trend * growth, newest);

  const SlaNodes sized = NodesForSla(plan, model, service_rate, input.total_nodes);
  const int need = sized.nodes;

  // What scale-down must keep: the needs of the last hold_s, and the halving envelope.
  const core::Seconds hold = options_.hold_s >= 0 ? options_.hold_s : model.BreakEven(input.boot_s);
  const int held = recent_needs_.Add(now, need, hold);
  envelope_nodes_ =
      std::max(static_cast<double>(need), envelope_nodes_ * std::exp2(-dt / options_.halving_s));
  started_ = true;
  last_at_ = now;
  const int floor = static_cast<int>(std::ceil(envelope_nodes_ - 1e-9));
  const int keep = std::max({need, held, floor});

  std::string why = fmt::format(
      "load {} (mean of {:g} s), forecast {} in {:g} s ({}), growth within {:g} s up to x{:.2f} "
      "(q {:g}): plan {}; {} x {} slots at {:.3g} s answer {} within {:g} s (target {})",
      FormatRate(current), options_.mean_s, FormatRate(ahead.rate_rps), horizon,
      ahead.trusted ? fmt::format("error {}", FormatShare(ahead.recent_error))
                    : fmt::format("error {}: not used", FormatShare(ahead.recent_error)),
      horizon, growth, options_.headroom_quantile, FormatRate(plan), FormatNodes(need),
      model.slots_per_node, service_time, FormatShare(sized.share), model.sla_s,
      FormatShare(model.sla_target));
  if (!sized.enough) why += ", not enough even with every node";
  const int coming = ServingOrBooting(input);
  if (need > coming) return ScaleUp(input, plan, need, why);
  if (keep < coming) {
    const int target = ClampTarget(keep, input);
    return Decision{.target_serving = target,
                    .expected_rps = plan,
                    .reason = fmt::format("{}: need {}, kept {} (needed within {:.0f} s: {}, "
                                          "halving floor: {}), sign off {}, {} -> {}",
                                          why, need, keep, hold, held, floor,
                                          FormatNodes(coming - target), coming, target)};
  }
  return Keep(input, plan,
              fmt::format("{}: need {}, keep {} (needed within {:.0f} s: {}, halving floor: {})",
                          why, need, keep, hold, held, floor));
}

}  // namespace ebb::policy
