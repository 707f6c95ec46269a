// CompareReport: the page of `ebb compare` (report.html): self-contained, inline SVG and CSS, no
// script. The league table and any runs that did not finish, then per trace: the arrival rate
// with each policy's forecast; the serving and powered nodes, one chart per policy; the
// response-time distributions (share of all requests answered within x, log x, one line per
// policy, the SLA marked); and last a scatter of every run's energy saving against its SLA
// share. Every chart is an <svg class="chart">: ExpectedChartCount gives how many.
#pragma once

#include <string>
#include <vector>

#include "tools/compare/compare_plan.h"
#include "tools/compare/league_table.h"
#include "tools/compare/run_folder.h"

namespace ebb::compare {

struct CompareReportInput {
  std::string title;
  const ComparePlan* plan = nullptr;
  const std::vector<RunData>* runs = nullptr;  // the finished runs, in the plan's order
  const std::vector<LeagueRow>* rows = nullptr;
  std::vector<std::string> problems;  // runs that failed or are missing, one line each
};

std::string RenderCompareReport(const CompareReportInput& input);

// Charts on the page when every run finished: per trace one load chart, one nodes chart per
// policy and one distribution chart; then the one scatter: traces * (policies + 2) + 1.
int ExpectedChartCount(int traces, int policies);

}  // namespace ebb::compare
