#include "tools/compare/compare_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/html_page.h"
#include "report/svg_chart.h"

namespace ebb::compare {
namespace {

using report::EscapeHtml;

// Time on the x axis in a unit that suits the run's length.
struct TimeUnit {
  double seconds;
  const char* suffix;
};
TimeUnit UnitFor(double span_s) {
  if (span_s <= 900) return {1, " s"};
  if (span_s <= 4 * 3600) return {60, " min"};
  return {3600, " h"};
}

// From the run's start (0) to its end.
report::Axis TimeAxis(const TimeUnit& unit) {
  return {.unit = unit.suffix, .range = report::AxisRange::kData, .min = 0};
}

std::string PolicyColor(const ComparePlan& plan, const std::string& policy) {
  const auto it = std::find(plan.policies.begin(), plan.policies.end(), policy);
  return std::string(report::PaletteColor(static_cast<std::size_t>(it - plan.policies.begin())));
}

std::vector<double> Times(const RunData& run, const TimeUnit& unit) {
  std::vector<double> t;
  for (const report::Bucket& b : run.series.buckets()) t.push_back(b.mean.t / unit.seconds);
  return t;
}

template <typename Field>
std::vector<double> Values(const RunData& run, Field field) {
  std::vector<double> v;
  for (const report::Bucket& b : run.series.buckets()) v.push_back(field(b));
  return v;
}

std::string LoadChart(const ComparePlan& plan, const std::vector<const RunData*>& runs,
                      const TimeUnit& unit) {
  report::LineChartSpec spec{.title = "Arrival rate and forecasts (requests/s)",
                             .x = TimeAxis(unit)};
  spec.series.push_back(
      {.name = "arrivals",
       .color = "#34495e",
       .x = Times(*runs.front(), unit),
       .y = Values(*runs.front(), [](const report::Bucket& b) { return b.mean.arrival_rps; })});
  for (const RunData* run : runs) {
    spec.series.push_back(
        {.name = "forecast: " + run->spec.policy,
         .color = PolicyColor(plan, run->spec.policy),
         .x = Times(*run, unit),
         .y = Values(*run, [](const report::Bucket& b) { return b.mean.forecast_rps; }),
         .style = report::LineStyle::kDashed});
  }
  return report::RenderLineChart(spec);
}

std::string NodesChart(const ComparePlan& plan, const RunData& run, const TimeUnit& unit) {
  const std::string color = PolicyColor(plan, run.spec.policy);
  // Filled field by field: GCC 12 at -O3 takes the nested designated initialiser's defaulted
  // std::string for uninitialised (-Wmaybe-uninitialized).
  report::LineChartSpec spec;
  spec.title = "Nodes: " + run.spec.policy;
  spec.x = TimeAxis(unit);
  spec.y.min = 0;
  spec.y.max = static_cast<double>(std::max(plan.nodes, 1));
  spec.series = {{.name = "serving",
                  .color = color,
                  .x = Times(run, unit),
                  .y = Values(run, [](const report::Bucket& b) { return b.mean.serving; })},
                 {.name = "powered",
                  .color = "#7f8c8d",
                  .x = Times(run, unit),
                  .y = Values(run, [](const report::Bucket& b) { return b.mean.powered; }),
                  .style = report::LineStyle::kDashed}};
  return report::RenderLineChart(spec);
}

// The share (%) of all the run's requests answered within x seconds, at the buckets' ends; a
// point only where x has grown by a few percent or the share by half a point, so a line has a
// few hundred points at most and keeps every step.
report::LineSeries Distribution(const ComparePlan& plan, const RunData& run) {
  report::LineSeries line{.name = run.spec.policy, .color = PolicyColor(plan, run.spec.policy)};
  const double requests = run.summary.value("requests", 0.0);
  if (!(requests > 0)) return line;
  // The line starts where the first thousandth of the requests has been answered: a few
  // near-zero service times would otherwise stretch the axis over decades of nothing.
  constexpr double kStartShare = 0.1;
  double answered = 0;
  for (std::size_t i = 0; i < run.latency.size(); ++i) {
    const stats::LatencyHistogram::Bin& bin = run.latency[i];
    const double before = 100 * answered / requests;
    answered += static_cast<double>(bin.count);
    const double share = 100 * answered / requests;
    if (share < kStartShare || !std::isfinite(bin.upper_s)) continue;
    if (line.x.empty() && bin.lower_s > 0) {
      line.x.push_back(bin.lower_s);
      line.y.push_back(before);
    }
    const bool last = i + 1 == run.latency.size();
    if (line.x.empty() || last || bin.upper_s > line.x.back() * 1.03 ||
        share > line.y.back() + 0.5) {
      line.x.push_back(bin.upper_s);
      line.y.push_back(share);
    }
  }
  return line;
}

std::string DistributionChart(const ComparePlan& plan, const std::vector<const RunData*>& runs) {
  report::LineChartSpec spec{
      .title = "Response times: share of all requests answered within x (rejected never are)",
      .x = {.unit = " s", .scale = report::Scale::kLog},
      .y = {.unit = " %", .min = 0, .max = 100},
      .x_references = {{.at = plan.sla_s, .name = "SLA"}}};
  for (const RunData* run : runs) spec.series.push_back(Distribution(plan, *run));
  return report::RenderLineChart(spec);
}

std::string TradeOffChart(const ComparePlan& plan, const std::vector<LeagueRow>& rows) {
  report::ScatterChartSpec spec{.title = "Energy saving (x) against SLA share (y), every run",
                                .x = {.unit = " %", .range = report::AxisRange::kPadded},
                                .y = {.unit = " %", .range = report::AxisRange::kPadded}};
  auto trace_index = [&plan](const std::string& label) {
    std::size_t i = 0;
    while (i < plan.traces.size() && plan.traces[i].label != label) ++i;
    return i;
  };
  for (const LeagueRow& row : rows) {
    spec.points.push_back(
        {.x = 100 * row.saving,
         .y = 100 * row.sla_share,
         .label = fmt::format("{} on {}: saving {:.1f} %, SLA {:.3f} %", row.policy, row.trace,
                              100 * row.saving, 100 * row.sla_share),
         .color = PolicyColor(plan, row.policy),
         .shape = report::NthShape(trace_index(row.trace))});
  }
  for (const std::string& policy : plan.policies) {
    spec.legend.push_back({.name = policy, .color = PolicyColor(plan, policy)});
  }
  if (plan.traces.size() > 1) {
    for (std::size_t i = 0; i < plan.traces.size(); ++i) {
      spec.legend.push_back(
          {.name = plan.traces[i].label, .color = "#555", .shape = report::NthShape(i)});
    }
  }
  return report::RenderScatterChart(spec);
}

std::string LeagueHtml(const std::vector<LeagueRow>& rows) {
  std::string html =
      "<table class=\"league\">\n<tr><th>trace</th><th>policy</th><th>SLA %</th><th>p99 s</th>"
      "<th>energy kWh</th><th>saving %</th><th>share of optimum saving %</th>"
      "<th>boots per node per day</th><th>cost C</th></tr>\n";
  for (const LeagueRow& r : rows) {
    html += fmt::format(
        "<tr><td>{}</td><td>{}</td><td class=\"number\">{:.3f}</td><td class=\"number\">{:.3f}"
        "</td><td class=\"number\">{:.3f}</td><td class=\"number\">{:.1f}</td>"
        "<td class=\"number\">{:.1f}</td><td class=\"number\">{:.2f}</td>"
        "<td class=\"number\">{}</td></tr>\n",
        EscapeHtml(r.trace), EscapeHtml(r.policy), 100 * r.sla_share, r.p99_s, r.energy_kwh,
        100 * r.saving, 100 * r.share_of_optimum_saving, r.boots_per_node_day,
        r.cost ? fmt::format("{:.4g}", *r.cost) : "-");
  }
  return html + "</table>\n";
}

}  // namespace

int ExpectedChartCount(int traces, int policies) { return traces * (policies + 2) + 1; }

std::string RenderCompareReport(const CompareReportInput& in) {
  const ComparePlan& plan = *in.plan;
  std::string html = report::HtmlPageStart(in.title);
  html += fmt::format(
      "<p>{} policies on {} traces, {} nodes, SLA {:g} s: each run an <code>ebb simulate</code> "
      "of its own (runs/&lt;trace&gt;/&lt;policy&gt;/).</p>\n",
      plan.policies.size(), plan.traces.size(), plan.nodes, plan.sla_s);
  html += LeagueHtml(*in.rows);
  if (!in.problems.empty()) {
    html += "<h2>Runs left out</h2>\n<ul class=\"problems\">\n";
    for (const std::string& problem : in.problems) {
      html += "<li>" + EscapeHtml(problem) + "</li>\n";
    }
    html += "</ul>\n";
  }
  for (const TraceChoice& trace : plan.traces) {
    std::vector<const RunData*> runs;
    for (const RunData& run : *in.runs) {
      if (run.spec.trace == trace.label && !run.series.buckets().empty()) runs.push_back(&run);
    }
    html += fmt::format(
        "<h2>Trace {}</h2>\n<p>{}</p>\n", EscapeHtml(trace.label),
        EscapeHtml(trace.path.empty() ? "the configuration's own workload" : trace.path));
    if (runs.empty()) {
      html += "<p>No finished run.</p>\n";
      continue;
    }
    const TimeUnit unit = UnitFor(runs.front()->series.buckets().back().t_end);
    html += LoadChart(plan, runs, unit);
    for (const RunData* run : runs) html += NodesChart(plan, *run, unit);
    html += DistributionChart(plan, runs);
  }
  html += "<h2>Energy against SLA</h2>\n";
  html += TradeOffChart(plan, *in.rows);
  html += report::HtmlPageEnd();
  return html;
}

}  // namespace ebb::compare
