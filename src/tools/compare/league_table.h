// LeagueTable: one row per finished run of a comparison, in the plan's order (trace, then
// policy), from the run's summary.json: SLA share, p99, energy, saving, share of the offline
// optimum's saving, boots per node per day and the cost C (summary key cost.mean, absent in
// summaries that predate it). Rendered as aligned text, JSON and CSV.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace ebb::compare {

struct LeagueRow {
  std::string trace;
  std::string policy;
  double sla_share = 0;  // of all requests, answered within the SLA
  double p99_s = 0;
  double energy_kwh = 0;
  double saving = 0;  // against every node always on
  double share_of_optimum_saving = 0;
  double boots_per_node_day = 0;  // boots / nodes / simulated days
  std::optional<double> cost;
};

// Fails naming the first summary key that is missing or not a number.
core::Result<LeagueRow> MakeLeagueRow(const std::string& trace, const std::string& policy,
                                      const nlohmann::json& summary, int nodes);

std::string LeagueText(const std::vector<LeagueRow>& rows);
nlohmann::ordered_json LeagueJson(const std::vector<LeagueRow>& rows);
std::string LeagueCsv(const std::vector<LeagueRow>& rows);

}  // namespace ebb::compare
