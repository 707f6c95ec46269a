#include "tools/compare/collect.h"

#include <fmt/format.h>

#include "tools/compare/compare_report.h"
#include "tools/compare/run_folder.h"
#include "tools/compare/text_file.h"

namespace ebb::compare {

core::Result<Collected> CollectComparison(const ComparePlan& plan,
                                          const std::filesystem::path& folder) {
  Collected collected{.report = folder / "report.html", .league = folder / "league.csv"};
  std::vector<RunData> runs;
  for (const RunSpec& spec : plan.runs) {
    core::Result<RunData> run = ReadRunFolder(folder, spec);
    core::Result<LeagueRow> row =
        run.ok() ? MakeLeagueRow(spec.trace, spec.policy, run->summary, plan.nodes)
                 : core::Result<LeagueRow>(run.status());
    if (!row.ok()) {
      collected.problems.push_back(
          fmt::format("{} on {}: {}", spec.policy, spec.trace, row.status().message()));
      continue;
    }
    collected.rows.push_back(*row);
    runs.push_back(std::move(run).value());
  }
  EBB_RETURN_IF_ERROR(WriteTextFile(collected.league, LeagueCsv(collected.rows)));
  EBB_RETURN_IF_ERROR(WriteTextFile(
      collected.report, RenderCompareReport({.title = "ebb compare: " + plan.config_source,
                                             .plan = &plan,
                                             .runs = &runs,
                                             .rows = &collected.rows,
                                             .problems = collected.problems})));
  return collected;
}

}  // namespace ebb::compare
