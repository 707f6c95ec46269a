#include "report/html_report.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ebb::report {
namespace {

std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A "nice" axis maximum: 1, 2 or 5 times a power of ten, at or above `value`.
double NiceCeiling(double value) {
  if (!(value > 0)) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

constexpr int kWidth = 960;
constexpr int kHeight = 200;
constexpr int kLeft = 60;
constexpr int kRight = 150;
constexpr int kTop = 24;
constexpr int kBottom = 28;

std::string Chart(const std::string& title, const std::vector<double>& hours,
                  const std::vector<Series>& series, double reference = 0,
                  const std::string& reference_name = "") {
  double top = reference;
  for (const Series& s : series) {
    for (double v : s.values) top = std::max(top, v);
  }
  top = NiceCeiling(top * 1.05);
  const double span = hours.empty() ? 1 : std::max(hours.back() - hours.front(), 1e-9);
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;
  auto x = [&](double h) { return kLeft + (h - hours.front()) / span * plot_w; };
  auto y = [&](double v) { return kTop + plot_h - v / top * plot_h; };

  std::string svg = fmt::format(
      "<svg viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\">\n"
      "<text x=\"{}\" y=\"16\" class=\"title\">{}</text>\n",
      kWidth, kHeight, kWidth, kHeight, kLeft, Escape(title));
  for (int i = 0; i <= 4; ++i) {
    const double v = top * i / 4;
    svg += fmt::format(
        "<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{:g}</text>\n",
        kLeft, kLeft + plot_w, y(v), y(v), kLeft - 6, y(v) + 4, v);
  }
  if (!hours.empty()) {
    for (int i = 0; i <= 6; ++i) {
      const double h = hours.front() + span * i / 6;
      svg += fmt::format(
          "<text x=\"{:.1f}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{:.1f} h"
          "</text>\n",
          x(h), kHeight - 8, h);
    }
  }
  int legend = 0;
  auto legend_entry = [&](const std::string& name, const std::string& color, bool dashed) {
    const double ly = kTop + 14 + 18 * legend++;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/><text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n",
        kLeft + plot_w + 10, kLeft + plot_w + 30, ly - 4, ly - 4, color,
        dashed ? " stroke-dasharray=\"4 3\"" : "", kLeft + plot_w + 36, ly, Escape(name));
  };
  if (reference > 0) {
    svg += fmt::format(
        "<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c0392b\" "
        "stroke-dasharray=\"4 3\"/>\n",
        kLeft, kLeft + plot_w, y(reference), y(reference));
    legend_entry(reference_name, "#c0392b", true);
  }
  for (const Series& s : series) {
    std::string points;
    for (std::size_t i = 0; i < s.values.size() && i < hours.size(); ++i) {
      points += fmt::format("{:.1f},{:.1f} ", x(hours[i]), y(s.values[i]));
    }
    svg +=
        fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" points=\"{}\"/>\n",
                    s.color, points);
    legend_entry(s.name, s.color, false);
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace

std::string RenderHtmlReport(const HtmlReportInput& in) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>{0}</title>\n"
      "<style>body{{font:14px sans-serif;margin:24px;color:#222}}"
      "table{{border-collapse:collapse}}td{{padding:2px 12px 2px 0}}"
      "td:first-child{{color:#666}}.title{{font-weight:bold;font-size:13px}}"
      ".tick{{font-size:11px;fill:#555}}.grid{{stroke:#e5e5e5}}svg{{display:block;"
      "margin:12px 0}}</style>\n</head><body>\n<h1>{0}</h1>\n<table>\n",
      Escape(in.title));
  for (const auto& [label, value] : in.summary) {
    html += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", Escape(label), Escape(value));
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
  html += "</body></html>\n";
  return html;
}

}  // namespace ebb::report
