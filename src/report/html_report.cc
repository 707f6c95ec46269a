#include "report/html_report.h"

#include <fmt/format.h>

#include "report/html_page.h"
#include "report/svg_chart.h"

namespace ebb::report {
namespace {

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

std::string Chart(const std::string& title, const std::vector<double>& hours,
                  const std::vector<Series>& series, double reference = 0,
                  const std::string& reference_name = "") {
  LineChartSpec spec{.title = title, .x = {.unit = " h", .range = AxisRange::kData}};
  for (const Series& s : series) {
    spec.series.push_back({.name = s.name, .color = s.color, .x = hours, .y = s.values});
  }
  if (reference > 0) spec.y_references.push_back({.at = reference, .name = reference_name});
  return RenderLineChart(spec);
}

}  // namespace

std::string RenderHtmlReport(const HtmlReportInput& in) {
  std::string html = HtmlPageStart(in.title) + "<table class=\"summary\">\n";
  for (const auto& [label, value] : in.summary) {
    html += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", EscapeHtml(label), EscapeHtml(value));
  }
  html += "</table>\n";
  if (in.series != nullptr && !in.series->buckets().empty()) {
    const auto& buckets = in.series->buckets();
    std::vector<double> hours;
    Series arrivals{"arrivals (mean)", "#2471a3", {}}, peaks{"arrivals (peak)", "#aed6f1", {}},
        forecast{"forecast", "#e67e22", {}}, serving{"serving", "#27ae60", {}},
        powered{"powered", "#7f8c8d", {}}, p95{"p95 (worst)", "#8e44ad", {}},
        power{"power", "#c0392b", {}};
    for (const Bucket& b : buckets) {
      hours.push_back(b.mean.t / 3600);
      arrivals.values.push_back(b.mean.arrival_rps);
      peaks.values.push_back(b.max_arrival_rps);
      forecast.values.push_back(b.mean.forecast_rps);
      serving.values.push_back(b.mean.serving);
      powered.values.push_back(b.mean.powered);
      p95.values.push_back(b.max_p95_s);
      power.values.push_back(b.mean.power_w);
    }
    const std::string per =
        in.series->rows_per_bucket() == 1
            ? std::string("one point per tick")
            : fmt::format("one point per {} ticks", in.series->rows_per_bucket());
    html += fmt::format("<p>Time in hours since the start; {}.</p>\n", per);
    html += Chart("Load (requests/s)", hours, {peaks, arrivals, forecast});
    html += Chart("Nodes", hours, {powered, serving});
    html += Chart("Latency (s)", hours, {p95}, in.sla_s, "SLA");
    html += Chart("Power (W)", hours, {power});
  }
  html += HtmlPageEnd();
  return html;
}

}  // namespace ebb::report
