// HtmlReport: one self-contained HTML page (inline SVG, no scripts, no external files) that shows
// a run at a glance: its summary, then load and forecast, serving and powered nodes, p95 latency
// against the SLA, and power, over time.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "report/timeseries_digest.h"

namespace ebb::report {

struct HtmlReportInput {
  std::string title;
  std::vector<std::pair<std::string, std::string>> summary;  // label, value; in order
  double sla_s = 0;  // drawn as a line on the latency plot; 0 for none
  const TimeseriesDigest* series = nullptr;
};

std::string RenderHtmlReport(const HtmlReportInput& input);

}  // namespace ebb::report
