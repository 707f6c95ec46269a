#include "config/shared_sections.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ebb::config {

void ReadClusterModel(TomlSection& cluster, ClusterModel& out, std::vector<std::string>* errors) {
  cluster.Number("boot_s", out.boot_s, 0);
  cluster.Number("shutdown_s", out.shutdown_s, 0);
  cluster.Number("capacity_rps", out.capacity_rps, 0, /*open_min=*/true);
  if (const toml::table* pt = cluster.Table("power")) {
    TomlSection p(pt, cluster.name() + ".power", errors);
    const bool shutdown_given = pt->get("shutdown_w") != nullptr;
    p.Number("off_w", out.power.off_w, 0);
    p.Number("boot_w", out.power.boot_w, 0);
    p.Number("idle_w", out.power.idle_w, 0);
    p.Number("busy_w", out.power.busy_w, 0);
    p.Number("shutdown_w", out.power.shutdown_w, 0);
    if (!shutdown_given) out.power.shutdown_w = out.power.idle_w;
    p.RejectUnknown();
  } else {
    out.power.shutdown_w = out.power.idle_w;
  }
}

void ReadBalancer(TomlSection& balancer, BalancerOptions& out) {
  balancer.Enum("algorithm", out.algorithm, lb::ParseAlgorithm);
  balancer.Number("queue_timeout_s", out.queue_timeout_s, 0);
}

void ReadPolicy(TomlSection& pol, int total_nodes, const std::string& path, PolicySection& out,
                std::vector<std::string>* errors) {
  control::ControllerOptions& controller = out.controller;
  pol.String("name", out.policy.name);
  pol.Number("interval_s", controller.interval_s, 0, true);
  pol.Int("min_nodes", controller.guard.min_serving, 1);
  int max_nodes = total_nodes;
  pol.Int("max_nodes", max_nodes, 1);
  controller.guard.max_serving = max_nodes;
  pol.Number("overload", out.policy.overload, 0, true, 1);
  pol.Number("underload", out.policy.underload, 0, false, 1);
  pol.Int("underload_cycles", out.policy.underload_cycles, 1);
  pol.Number("history_s", out.policy.history_s, 0, true);
  pol.Number("mean_s", out.policy.mean_s, 0, true);
  pol.Number("epsilon_s", out.policy.epsilon_s, 0);
  pol.String("sign_off", out.policy.sign_off);
  pol.Number("headroom_quantile", out.policy.headroom_quantile, 0, true, 1);
  pol.Number("memory_s", out.policy.memory_s, 0, true);
  pol.Number("halving_s", out.policy.halving_s, 0, true);
  pol.Number("hold_s", out.policy.hold_s, -1);
  pol.Number("timer_s", out.policy.timer_s, -1);
  pol.Number("replan_share", out.policy.replan_share, 0);
  pol.Number("replan_s", out.policy.replan_s, 0, true);
  pol.String("forecast", out.policy.forecast);
  pol.Number("up_cooldown_s", controller.guard.up_cooldown_s, 0);
  pol.Number("down_cooldown_s", controller.guard.down_cooldown_s, 0);
  pol.Int("max_transitions_per_tick", controller.guard.max_transitions_per_tick, 1);
  pol.Number("max_transitions_share", controller.guard.max_transitions_share, 0, false, 1);
  pol.Number("drain_timeout_s", controller.drain_timeout_s, 0);
  // The mean service time the sizing policies plan with (0: the one capacity_rps implies).
  pol.Number("service_time_s", controller.model.service_time_s, 0);
  controller.guard.stale_after_s = 3 * controller.interval_s;
  // Enough load samples for the longest window a policy reads. The controller allocates them at
  // once, so the count is bounded (and a quotient that overflows is an error, not a bad cast).
  constexpr double kMaxHistorySamples = 10'000'000;
  const double longest = std::max(out.policy.history_s, out.policy.mean_s);
  const double samples = std::ceil(longest / controller.interval_s) + 2;
  if (samples <= kMaxHistorySamples) {
    controller.history_samples = static_cast<std::size_t>(samples);
  } else {
    errors->push_back(
        fmt::format("{}: policy: history_s and mean_s of up to {} s at interval_s = {} s need "
                    "more than {} load samples",
                    path, longest, controller.interval_s, kMaxHistorySamples));
  }
}

void CheckPolicy(const PolicySection& section, int total_nodes, std::string_view nodes_key,
                 const std::string& where, std::vector<std::string>* errors) {
  core::Result<std::unique_ptr<policy::Policy>> made = policy::MakePolicy(section.policy);
  if (!made.ok()) {
    errors->push_back(fmt::format("{}: policy: {}", where, made.status().message()));
    return;
  }
  if (section.controller.guard.min_serving > total_nodes) {
    errors->push_back(fmt::format("{}: policy.min_nodes ({}) exceeds {} ({})", where,
                                  section.controller.guard.min_serving, nodes_key, total_nodes));
  }
}

void ReadSla(TomlSection& sla, core::Seconds& response_s, double& target) {
  sla.Number("response_s", response_s, 0, true);
  sla.Number("target", target, 0, true, 1);
}

void ReadCost(TomlSection& cost, double& c1, double& c2) {
  cost.Number("c1", c1, 0);
  cost.Number("c2", c2, 0);
}

}  // namespace ebb::config
