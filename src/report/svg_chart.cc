#include "report/svg_chart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "report/html_page.h"

namespace ebb::report {
namespace {

constexpr int kWidth = 960;
constexpr int kHeight = 220;
constexpr int kLeft = 64;
constexpr int kRight = 200;
constexpr int kTop = 26;
constexpr int kBottom = 30;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;
constexpr const char* kReferenceColor = "#c0392b";

// A "nice" axis maximum: 1, 2 or 5 times a power of ten, at or above `value`.
double NiceCeiling(double value) {
  if (!(value > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

// One axis, resolved: its ends in axis space (log10 of the value on a log scale) and the pixels
// they map to.
class AxisMap {
 public:
  AxisMap(const Axis& axis, const std::vector<double>& values, double pixel_lo, double pixel_hi)
      : axis_(axis), pixel_lo_(pixel_lo), pixel_hi_(pixel_hi) {
    const bool log = axis.scale == Scale::kLog;
    double data_min = std::numeric_limits<double>::infinity();
    double data_max = -data_min;
    for (double v : values) {
      if (!std::isfinite(v) || (log && !(v > 0))) continue;
      data_min = std::min(data_min, v);
      data_max = std::max(data_max, v);
    }
    if (data_min > data_max) {  // nothing to plot
      data_min = log ? 0.01 : 0;
      data_max = 1;
    }
    if (log) {
      lo_ = std::floor(std::log10(data_min));
      hi_ = std::ceil(std::log10(data_max));
    } else if (axis.range == AxisRange::kFromZero) {
      lo_ = std::min(0.0, data_min);
      hi_ = NiceCeiling(data_max * 1.05);
    } else if (axis.range == AxisRange::kData) {
      lo_ = data_min;
      hi_ = data_max;
    } else {
      double span = data_max - data_min;
      if (!(span > 0)) span = data_max != 0 ? std::abs(data_max) / 10 : 1;
      lo_ = data_min - span / 20;
      hi_ = data_max + span / 20;
    }
    if (axis.min) lo_ = log ? std::log10(*axis.min) : *axis.min;
    if (axis.max) hi_ = log ? std::log10(*axis.max) : *axis.max;
    if (!(hi_ > lo_)) hi_ = lo_ + 1;
  }

  // The pixel of `value`, kept inside the plot; nullopt for what the axis cannot show.
  std::optional<double> operator()(double value) const {
    if (!std::isfinite(value)) return std::nullopt;
    double v = value;
    if (axis_.scale == Scale::kLog) {
      if (!(value > 0)) return std::nullopt;
      v = std::log10(value);
    }
    const double share = std::clamp((v - lo_) / (hi_ - lo_), 0.0, 1.0);
    return pixel_lo_ + share * (pixel_hi_ - pixel_lo_);
  }

  // Tick values (not pixels): every power of ten on a log scale, else the multiples of a round
  // step (1, 2, 2.5 or 5 times a power of ten) that give about `intervals` intervals.
  std::vector<double> Ticks(int intervals) const {
    std::vector<double> ticks;
    if (axis_.scale == Scale::kLog) {
      for (double k = std::ceil(lo_); k <= hi_; ++k) ticks.push_back(std::pow(10.0, k));
      return ticks;
    }
    const double step = Step(intervals);
    for (double k = std::ceil(lo_ / step - 1e-9); k * step <= hi_ + step * 1e-9; ++k) {
      ticks.push_back(k * step + 0.0);  // + 0.0: no "-0"
    }
    return ticks;
  }

  std::string Label(double value, int intervals) const {
    if (axis_.scale == Scale::kLog) return fmt::format("{:g}{}", value, axis_.unit);
    // As many decimals as the step has, so neighbouring ticks never read the same.
    const double step = Step(intervals);
    int decimals = 0;
    while (decimals < 9 && std::abs(step * std::pow(10.0, decimals) -
                                    std::round(step * std::pow(10.0, decimals))) > 1e-6) {
      ++decimals;
    }
    return fmt::format("{:.{}f}{}", value, decimals, axis_.unit);
  }

 private:
  double Step(int intervals) const {
    const double raw = (hi_ - lo_) / intervals;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double nice : {1.0, 2.0, 2.5, 5.0}) {
      if (nice * power >= raw * 0.999) return nice * power;
    }
    return 10 * power;
  }

 private:
  const Axis& axis_;
  double pixel_lo_;
  double pixel_hi_;
  double lo_ = 0;
  double hi_ = 1;
};

constexpr int kXIntervals = 6;
constexpr int kYIntervals = 4;

// The frame every chart shares: title, grid, tick labels. Returns the open <svg>.
std::string OpenChart(const std::string& title, const AxisMap& x, const AxisMap& y) {
  std::string svg = fmt::format(
      "<svg class=\"chart\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\">\n"
      "<text x=\"{2}\" y=\"16\" class=\"title\">{3}</text>\n",
      kWidth, kHeight, kLeft, EscapeHtml(title));
  for (double v : y.Ticks(kYIntervals)) {
    const double py = *y(v);
    svg += fmt::format(
        "<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
        kLeft, kLeft + kPlotWidth, py, py, kLeft - 6, py + 4, EscapeHtml(y.Label(v, kYIntervals)));
  }
  for (double v : x.Ticks(kXIntervals)) {
    svg +=
        fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
                    *x(v), kHeight - 8, EscapeHtml(x.Label(v, kXIntervals)));
  }
  return svg;
}

class Legend {
 public:
  explicit Legend(std::string& svg) : svg_(svg) {}

  void Line(const std::string& name, const std::string& color, LineStyle style) {
    const double y = NextY();
    svg_ += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/>",
        kSymbolX, kSymbolX + 20, y - 4, y - 4, color,
        style == LineStyle::kDashed ? " stroke-dasharray=\"4 3\"" : "");
    Name(name, y);
  }
  void Marker(const LegendEntry& entry);

 private:
  static constexpr double kSymbolX = kLeft + kPlotWidth + 10;
  double NextY() { return kTop + 14 + 18 * entries_++; }
  void Name(const std::string& name, double y) {
    svg_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n", kSymbolX + 26,
                        y, EscapeHtml(name));
  }

  std::string& svg_;
  int entries_ = 0;
};

// An SVG element for one marker centred on (x, y), holding `inner` (a <title>, or nothing).
std::string MarkerElement(MarkerShape shape, double x, double y, const std::string& color,
                          const std::string& inner) {
  constexpr double r = 5;
  switch (shape) {
    case MarkerShape::kSquare:
      return fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" fill=\"{}\">{}"
          "</rect>",
          x - r, y - r, 2 * r, 2 * r, color, inner);
    case MarkerShape::kTriangle:
      return fmt::format(
          "<path d=\"M{:.1f},{:.1f}L{:.1f},{:.1f}L{:.1f},{:.1f}Z\" fill=\"{}\">{}</path>", x,
          y - r - 1, x + r + 1, y + r, x - r - 1, y + r, color, inner);
    case MarkerShape::kDiamond:
      return fmt::format(
          "<path d=\"M{:.1f},{:.1f}L{:.1f},{:.1f}L{:.1f},{:.1f}L{:.1f},{:.1f}Z\" fill=\"{}\">{}"
          "</path>",
          x, y - r - 1, x + r + 1, y, x, y + r + 1, x - r - 1, y, color, inner);
    case MarkerShape::kCircle:
      break;
  }
  return fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\">{}</circle>", x, y,
                     r, color, inner);
}

void Legend::Marker(const LegendEntry& entry) {
  const double y = NextY();
  svg_ += MarkerElement(entry.shape, kSymbolX + 10, y - 4, entry.color, "");
  Name(entry.name, y);
}

std::string ReferenceLines(const std::vector<ReferenceLine>& lines, const AxisMap& axis,
                           bool vertical, Legend& legend) {
  std::string svg;
  for (const ReferenceLine& line : lines) {
    const std::optional<double> at = axis(line.at);
    if (!at) continue;
    svg += vertical ? fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2:.1f}\"",
                                  *at, kTop, kTop + kPlotHeight)
                    : fmt::format("<line x1=\"{0}\" x2=\"{1:.1f}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\"",
                                  kLeft, kLeft + kPlotWidth, *at);
    svg += fmt::format(" stroke=\"{}\" stroke-dasharray=\"4 3\"/>\n", kReferenceColor);
    legend.Line(line.name, kReferenceColor, LineStyle::kDashed);
  }
  return svg;
}

}  // namespace

std::string_view PaletteColor(std::size_t i) {
  static constexpr std::array<std::string_view, 8> kColors = {
      "#2471a3", "#e67e22", "#27ae60", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d", "#d4ac0d"};
  return kColors[i % kColors.size()];
}

MarkerShape NthShape(std::size_t i) {
  static constexpr std::array kShapes = {MarkerShape::kCircle, MarkerShape::kSquare,
                                         MarkerShape::kTriangle, MarkerShape::kDiamond};
  return kShapes[i % kShapes.size()];
}

std::string RenderLineChart(const LineChartSpec& spec) {
  std::vector<double> xs, ys;
  for (const LineSeries& s : spec.series) {
    xs.insert(xs.end(), s.x.begin(), s.x.end());
    ys.insert(ys.end(), s.y.begin(), s.y.end());
  }
  for (const ReferenceLine& r : spec.x_references) xs.push_back(r.at);
  for (const ReferenceLine& r : spec.y_references) ys.push_back(r.at);
  const AxisMap x(spec.x, xs, kLeft, kLeft + kPlotWidth);
  const AxisMap y(spec.y, ys, kTop + kPlotHeight, kTop);

  std::string svg = OpenChart(spec.title, x, y);
  Legend legend(svg);
  svg += ReferenceLines(spec.x_references, x, true, legend);
  svg += ReferenceLines(spec.y_references, y, false, legend);
  for (const LineSeries& s : spec.series) {
    std::string points;
    for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
      const std::optional<double> px = x(s.x[i]), py = y(s.y[i]);
      if (px && py) points += fmt::format("{:.1f},{:.1f} ", *px, *py);
    }
    svg += fmt::format(
        "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\"{} points=\"{}\"/>\n", s.color,
        s.style == LineStyle::kDashed ? " stroke-dasharray=\"5 3\"" : "", points);
    legend.Line(s.name, s.color, s.style);
  }
  svg += "</svg>\n";
  return svg;
}

std::string RenderScatterChart(const ScatterChartSpec& spec) {
  std::vector<double> xs, ys;
  for (const ScatterPoint& p : spec.points) {
    xs.push_back(p.x);
    ys.push_back(p.y);
  }
  const AxisMap x(spec.x, xs, kLeft, kLeft + kPlotWidth);
  const AxisMap y(spec.y, ys, kTop + kPlotHeight, kTop);
  std::string svg = OpenChart(spec.title, x, y);
  for (const ScatterPoint& p : spec.points) {
    const std::optional<double> px = x(p.x), py = y(p.y);
    if (!px || !py) continue;
    svg += MarkerElement(p.shape, *px, *py, p.color,
                         fmt::format("<title>{}</title>", EscapeHtml(p.label))) +
           "\n";
  }
  Legend legend(svg);
  for (const LegendEntry& entry : spec.legend) legend.Marker(entry);
  svg += "</svg>\n";
  return svg;
}

}  // namespace ebb::report
