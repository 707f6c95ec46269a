// SvgChart: the inline SVG plots of ebb's HTML pages, drawn without scripts: line charts over a
// linear or logarithmic x axis, and scatter plots. Each chart is one <svg class="chart"> with its
// title on top and its legend on the right, styled by the page's CSS (report/html_page.h).
// Pure functions of their input: no I/O, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ebb::report {

// A colour for the i-th of several series; the first eight are distinct.
std::string_view PaletteColor(std::size_t i);

enum class Scale : std::uint8_t { kLinear, kLog };

enum class AxisRange : std::uint8_t {
  kFromZero,  // 0 up to a round number above the largest value (values >= 0)
  kData,      // exactly the smallest to the largest value (time)
  kPadded,    // the values' span widened by a twentieth each side (scatter plots)
};

struct Axis {
  std::string unit;  // written after each tick label: " h", " s", " %"
  Scale scale = Scale::kLinear;
  AxisRange range = AxisRange::kFromZero;
  std::optional<double> min;  // overrides the range's lower end
  std::optional<double> max;  // overrides the range's upper end
};

enum class LineStyle : std::uint8_t { kSolid, kDashed };

struct LineSeries {
  std::string name;
  std::string color;
  std::vector<double> x;
  std::vector<double> y;  // as many as x
  LineStyle style = LineStyle::kSolid;
};

// A dashed line across the plot at one value of an axis, named in the legend (an SLA).
struct ReferenceLine {
  double at = 0;
  std::string name;
};

struct LineChartSpec {
  std::string title;
  Axis x{.range = AxisRange::kData};
  Axis y;
  std::vector<LineSeries> series;
  std::vector<ReferenceLine> x_references;  // vertical
  std::vector<ReferenceLine> y_references;  // horizontal
};

std::string RenderLineChart(const LineChartSpec& spec);

enum class MarkerShape : std::uint8_t { kCircle, kSquare, kTriangle, kDiamond };

// The i-th of several shapes, cycling.
MarkerShape NthShape(std::size_t i);

struct ScatterPoint {
  double x = 0;
  double y = 0;
  std::string label;  // the point's tooltip
  std::string color;
  MarkerShape shape = MarkerShape::kCircle;
};

struct LegendEntry {
  std::string name;
  std::string color;
  MarkerShape shape = MarkerShape::kCircle;
};

struct ScatterChartSpec {
  std::string title;
  Axis x{.range = AxisRange::kPadded};
  Axis y{.range = AxisRange::kPadded};
  std::vector<ScatterPoint> points;
  std::vector<LegendEntry> legend;
};

std::string RenderScatterChart(const ScatterChartSpec& spec);

}  // namespace ebb::report
