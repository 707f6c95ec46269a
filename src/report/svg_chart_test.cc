#include "report/svg_chart.h"

#include <gtest/gtest.h>

#include "testing/command.h"

#include "report/html_page.h"

namespace ebb::report {
namespace {

using ebb::testing::CountOccurrences;

// The number of "x,y" pairs in the first points="..." attribute.
int PointsInFirstPolyline(const std::string& svg) {
  const auto begin = svg.find("points=\"");
  if (begin == std::string::npos) return -1;
  const auto end = svg.find('"', begin + 8);
  return CountOccurrences(svg.substr(begin, end - begin), ",");
}

TEST(SvgChartTest, EscapesMarkup) {
  EXPECT_EQ(EscapeHtml("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

TEST(SvgChartTest, LineChartHasOnePolylinePerSeriesAndALegendEntryForEach) {
  const std::string svg = RenderLineChart({
      .title = "Load <rps>",
      .series = {{.name = "arrivals", .color = "#111", .x = {0, 1, 2, 3}, .y = {5, 17, 9, 3}},
                 {.name = "forecast",
                  .color = "#222",
                  .x = {0, 1, 2, 3},
                  .y = {4, 15, 10, 4},
                  .style = LineStyle::kDashed}},
      .y_references = {{.at = 12, .name = "limit"}},
  });
  EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u) << svg.substr(0, 80);
  EXPECT_NE(svg.find("Load &lt;rps&gt;"), std::string::npos);
  EXPECT_EQ(CountOccurrences(svg, "<polyline"), 2);
  EXPECT_EQ(PointsInFirstPolyline(svg), 4);
  EXPECT_EQ(CountOccurrences(svg, "stroke-dasharray=\"5 3\""), 1);
  for (const char* name : {">arrivals</text>", ">forecast</text>", ">limit</text>"}) {
    EXPECT_NE(svg.find(name), std::string::npos) << name;
  }
  // From zero to a round number above the largest value (17 * 1.05 -> 20).
  EXPECT_NE(svg.find(">0</text>"), std::string::npos);
  EXPECT_NE(svg.find(">20</text>"), std::string::npos);
  EXPECT_EQ(svg.find(">25</text>"), std::string::npos);
}

TEST(SvgChartTest, LogAxisTicksPowersOfTenAndDropsWhatItCannotShow) {
  const std::string svg = RenderLineChart({
      .title = "cdf",
      .x = {.unit = " s", .scale = Scale::kLog},
      .y = {.min = 0, .max = 1},
      .series = {{.name = "a", .color = "#111", .x = {0, 0.002, 0.05, 3}, .y = {0, 0.2, 0.9, 1}}},
      .x_references = {{.at = 5, .name = "SLA"}},
  });
  for (const char* tick : {">0.001 s<", ">0.01 s<", ">0.1 s<", ">1 s<", ">10 s<"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
  EXPECT_EQ(svg.find(">100 s<"), std::string::npos);
  EXPECT_EQ(PointsInFirstPolyline(svg), 3);  // x = 0 has no place on a log axis
  EXPECT_NE(svg.find(">SLA</text>"), std::string::npos);
}

TEST(SvgChartTest, ScatterDrawsEveryPointWithItsTooltipAndTheLegend) {
  const std::string svg = RenderScatterChart({
      .title = "trade-off",
      .points = {{.x = 10, .y = 99.5, .label = "a & b", .color = "#111"},
                 {.x = 30, .y = 97, .label = "c", .color = "#222", .shape = NthShape(1)},
                 {.x = 20, .y = 98, .label = "d", .color = "#333", .shape = NthShape(2)}},
      .legend = {{.name = "policy a", .color = "#111"}, {.name = "trace 2", .color = "#000"}},
  });
  EXPECT_EQ(CountOccurrences(svg, "<title>"), 3);
  EXPECT_NE(svg.find("<title>a &amp; b</title>"), std::string::npos);
  EXPECT_EQ(CountOccurrences(svg, "<circle"), 1 + 2);  // one point, two legend markers
  EXPECT_EQ(CountOccurrences(svg, "<rect"), 1);
  EXPECT_EQ(CountOccurrences(svg, "<path"), 1);
  EXPECT_NE(svg.find(">trace 2</text>"), std::string::npos);
}

TEST(SvgChartTest, NothingToPlotStillGivesAnEmptyFrame) {
  for (const std::string& svg :
       {RenderLineChart({.title = "none"}),
        RenderLineChart({.title = "one point", .series = {{.name = "a", .x = {5}, .y = {5}}}}),
        RenderScatterChart({.title = "none"})}) {
    EXPECT_EQ(svg.rfind("<svg class=\"chart\"", 0), 0u);
    EXPECT_EQ(svg.find("nan"), std::string::npos) << svg;
    EXPECT_EQ(svg.find("inf"), std::string::npos) << svg;
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
  }
}

}  // namespace
}  // namespace ebb::report
