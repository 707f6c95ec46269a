#include "tools/compare/compare_report.h"

#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "testing/command.h"

namespace ebb::compare {
namespace {

using ebb::testing::CountOccurrences;

RunData FakeRun(const std::string& trace, const std::string& policy) {
  RunData run{.spec = {.trace = trace, .policy = policy, .dir = "runs/" + trace + "/" + policy}};
  run.summary = {{"requests", 1000}};
  for (int i = 0; i < 300; ++i) {
    run.series.Add(
        {.t = i * 1.0, .arrival_rps = 10, .forecast_rps = 11, .serving = 2, .powered = 3});
  }
  // 900 answered quickly, 90 slowly: 10 requests were rejected.
  run.latency = {{.lower_s = 0.01, .upper_s = 0.0101, .count = 900},
                 {.lower_s = 2.0, .upper_s = 2.02, .count = 90}};
  return run;
}

class CompareReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    plan_ = {.config_source = "sim <a>.toml",
             .nodes = 4,
             .sla_s = 1,
             .policies = {"p1", "p2", "p3"},
             .traces = {{.label = "t1", .path = "/data/t1.csv"}, {.label = "t2"}}};
    for (const TraceChoice& t : plan_.traces) {
      for (const std::string& p : plan_.policies) {
        plan_.runs.push_back({.trace = t.label, .policy = p, .dir = "runs/" + t.label + "/" + p});
      }
    }
  }

  std::string Render(const std::vector<RunData>& runs, std::vector<std::string> problems = {}) {
    rows_.clear();
    for (const RunData& run : runs) {
      rows_.push_back({.trace = run.spec.trace,
                       .policy = run.spec.policy,
                       .sla_share = 0.98,
                       .saving = 0.1 * static_cast<double>(rows_.size())});
    }
    return RenderCompareReport({.title = "ebb compare: " + plan_.config_source,
                                .plan = &plan_,
                                .runs = &runs,
                                .rows = &rows_,
                                .problems = std::move(problems)});
  }

  ComparePlan plan_;
  std::vector<LeagueRow> rows_;
};

TEST_F(CompareReportTest, EveryRunFinishedGivesTheDocumentedChartCount) {
  std::vector<RunData> runs;
  for (const RunSpec& spec : plan_.runs) runs.push_back(FakeRun(spec.trace, spec.policy));
  const std::string html = Render(runs);
  EXPECT_EQ(CountOccurrences(html, "class=\"chart\""), ExpectedChartCount(2, 3));
  EXPECT_EQ(ExpectedChartCount(2, 3), 11);
  EXPECT_NE(html.find("<title>ebb compare: sim &lt;a&gt;.toml</title>"), std::string::npos);
  // Self-contained: nothing fetched, nothing run.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  // One scatter point (with its tooltip) per run, and the league table's rows.
  EXPECT_EQ(CountOccurrences(html, "<title>p"), 6);
  EXPECT_EQ(CountOccurrences(html, "<tr><td>t"), 6);
  EXPECT_NE(html.find(">Nodes: p2</text>"), std::string::npos);
  EXPECT_NE(html.find(">forecast: p3</text>"), std::string::npos);
}

// The y pixel of the grid line labelled `label` (the line comes just before its label).
double GridY(const std::string& svg, const std::string& label) {
  const auto text = svg.find(">" + label + "</text>");
  const auto y1 = svg.rfind("y1=\"", text);
  return std::stod(svg.substr(y1 + 4));
}

TEST_F(CompareReportTest, DistributionKeepsEveryStepAndEndsAtTheShareAnswered) {
  std::vector<RunData> runs = {FakeRun("t1", "p1")};
  const std::string html = Render(runs);
  const auto chart = html.find("share of all requests answered");
  ASSERT_NE(chart, std::string::npos);
  const std::string svg = html.substr(chart, html.find("</svg>", chart) - chart);
  const auto points = svg.find("points=\"");
  ASSERT_NE(points, std::string::npos);
  std::istringstream list(svg.substr(points + 8, svg.find('"', points + 8) - points - 8));
  std::vector<double> ys;
  for (std::string pair; list >> pair;) ys.push_back(std::stod(pair.substr(pair.find(',') + 1)));
  // From 0, a step to 90 % (900 of 1000 fast), then 99 %: 10 requests were never answered.
  ASSERT_EQ(ys.size(), 3u);
  const double zero = GridY(svg, "0 %"), full = GridY(svg, "100 %");
  EXPECT_NEAR(ys[0], zero, 0.1);
  EXPECT_NEAR(ys[1], zero + 0.90 * (full - zero), 0.1);
  EXPECT_NEAR(ys[2], zero + 0.99 * (full - zero), 0.1);
}

TEST_F(CompareReportTest, MissingRunsAreNamedAndLeaveTheirChartsOut) {
  std::vector<RunData> runs;
  for (const RunSpec& spec : plan_.runs) {
    if (spec.trace == "t2" && spec.policy == "p2") continue;
    runs.push_back(FakeRun(spec.trace, spec.policy));
  }
  const std::string html =
      Render(runs, {"p2 on t2: runs/t2/p2: no summary.json: the run has not finished"});
  EXPECT_EQ(CountOccurrences(html, "class=\"chart\""), ExpectedChartCount(2, 3) - 1);
  EXPECT_NE(html.find("<li>p2 on t2: runs/t2/p2: no summary.json"), std::string::npos);
}

}  // namespace
}  // namespace ebb::compare
