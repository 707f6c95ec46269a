// Collect: turns a comparison folder's finished runs into its league table and writes
// league.csv and report.html beside them. A run that is missing, unfinished or unreadable is
// named in `problems` and left out; the rest are still tabulated.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "tools/compare/compare_plan.h"
#include "tools/compare/league_table.h"

namespace ebb::compare {

struct Collected {
  std::vector<LeagueRow> rows;
  std::vector<std::string> problems;
  std::filesystem::path report;  // report.html
  std::filesystem::path league;  // league.csv
};

// Fails only when league.csv or report.html cannot be written.
core::Result<Collected> CollectComparison(const ComparePlan& plan,
                                          const std::filesystem::path& folder);

}  // namespace ebb::compare
