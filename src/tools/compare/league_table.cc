#include "tools/compare/league_table.h"

#include <algorithm>

#include <fmt/format.h>

namespace ebb::compare {
namespace {

std::optional<double> Number(const nlohmann::json& j, const nlohmann::json::json_pointer& key) {
  if (!j.contains(key) || !j.at(key).is_number()) return std::nullopt;
  return j.at(key).get<double>();
}

std::string CostText(const LeagueRow& row) {
  return row.cost ? fmt::format("{:.4g}", *row.cost) : std::string("-");
}

}  // namespace

core::Result<LeagueRow> MakeLeagueRow(const std::string& trace, const std::string& policy,
                                      const nlohmann::json& summary, int nodes) {
  using Pointer = nlohmann::json::json_pointer;
  LeagueRow row{.trace = trace, .policy = policy};
  std::optional<double> simulated_s, boots;
  for (auto [key, into] :
       {std::pair{"/sla_ok_ratio", &row.sla_share}, std::pair{"/response_time_s/p99", &row.p99_s},
        std::pair{"/energy_kwh", &row.energy_kwh}, std::pair{"/saving_ratio", &row.saving},
        std::pair{"/share_of_optimum_saving", &row.share_of_optimum_saving}}) {
    const std::optional<double> value = Number(summary, Pointer(key));
    if (!value) {
      return core::InvalidArgumentError(
          fmt::format("summary of {} on {}: no number at {}", policy, trace, key));
    }
    *into = *value;
  }
  simulated_s = Number(summary, Pointer("/simulated_s"));
  boots = Number(summary, Pointer("/boots"));
  if (!simulated_s || !boots) {
    return core::InvalidArgumentError(
        fmt::format("summary of {} on {}: no simulated_s or boots", policy, trace));
  }
  row.boots_per_node_day =
      nodes > 0 && *simulated_s > 0 ? *boots / nodes / (*simulated_s / 86400) : 0;
  row.cost = Number(summary, Pointer("/cost/mean"));
  return row;
}

std::string LeagueText(const std::vector<LeagueRow>& rows) {
  std::size_t trace_w = 5, policy_w = 6;
  for (const LeagueRow& r : rows) {
    trace_w = std::max(trace_w, r.trace.size());
    policy_w = std::max(policy_w, r.policy.size());
  }
  std::string text =
      fmt::format("{:<{}}  {:<{}}  {:>8}  {:>8}  {:>10}  {:>8}  {:>10}  {:>10}  {:>10}\n", "trace",
                  trace_w, "policy", policy_w, "SLA %", "p99 s", "energy kWh", "saving %",
                  "of opt. %", "boots/n/d", "cost C");
  for (const LeagueRow& r : rows) {
    text += fmt::format(
        "{:<{}}  {:<{}}  {:>8.3f}  {:>8.3f}  {:>10.3f}  {:>8.1f}  {:>10.1f}  {:>10.2f}  {:>10}\n",
        r.trace, trace_w, r.policy, policy_w, 100 * r.sla_share, r.p99_s, r.energy_kwh,
        100 * r.saving, 100 * r.share_of_optimum_saving, r.boots_per_node_day, CostText(r));
  }
  return text;
}

nlohmann::ordered_json LeagueJson(const std::vector<LeagueRow>& rows) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const LeagueRow& r : rows) {
    nlohmann::ordered_json j;
    j["trace"] = r.trace;
    j["policy"] = r.policy;
    j["sla_share"] = r.sla_share;
    j["p99_s"] = r.p99_s;
    j["energy_kwh"] = r.energy_kwh;
    j["saving"] = r.saving;
    j["share_of_optimum_saving"] = r.share_of_optimum_saving;
    j["boots_per_node_day"] = r.boots_per_node_day;
    j["cost"] = r.cost ? nlohmann::ordered_json(*r.cost) : nlohmann::ordered_json(nullptr);
    list.push_back(std::move(j));
  }
  return list;
}

std::string LeagueCsv(const std::vector<LeagueRow>& rows) {
  std::string csv =
      "trace,policy,sla_share,p99_s,energy_kwh,saving,share_of_optimum_saving,"
      "boots_per_node_day,cost\n";
  for (const LeagueRow& r : rows) {
    // Labels are path-safe and policy names plain words: no CSV quoting needed.
    csv += fmt::format("{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{}\n", r.trace, r.policy,
                       r.sla_share, r.p99_s, r.energy_kwh, r.saving, r.share_of_optimum_saving,
                       r.boots_per_node_day, r.cost ? fmt::format("{:.6g}", *r.cost) : "");
  }
  return csv;
}

}  // namespace ebb::compare
