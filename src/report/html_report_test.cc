#include "report/html_report.h"

#include <gtest/gtest.h>

#include "testing/command.h"

namespace ebb::report {
namespace {

using ebb::testing::CountOccurrences;

TEST(HtmlReportTest, SummaryIsEscapedAndEveryPlotIsThere) {
  TimeseriesDigest digest(16);
  for (int i = 0; i < 100; ++i) {
    digest.Add({.t = i * 60.0,
                .arrival_rps = 10.0 + i % 5,
                .serving = 2,
                .powered = 3,
                .p95_s = 0.4,
                .power_w = 300});
  }
  const std::string html = RenderHtmlReport(
      {.title = "ebb <simulate>", .summary = {{"policy", "a & b"}}, .sla_s = 5, .series = &digest});
  EXPECT_NE(html.find("<title>ebb &lt;simulate&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<td>a &amp; b</td>"), std::string::npos);
  EXPECT_EQ(CountOccurrences(html, "<svg"), 4);
  EXPECT_EQ(CountOccurrences(html, "<polyline"), 7);  // load 3, nodes 2, latency 1, power 1
  EXPECT_NE(html.find(">SLA</text>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(HtmlReportTest, NoSeriesGivesSummaryOnly) {
  const std::string html = RenderHtmlReport({.title = "t", .summary = {{"a", "1"}}});
  EXPECT_EQ(CountOccurrences(html, "<svg"), 0);
  EXPECT_NE(html.find("<td>1</td>"), std::string::npos);
}

}  // namespace
}  // namespace ebb::report
