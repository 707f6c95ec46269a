// PrometheusText: builds a /metrics page in the Prometheus text exposition format 0.0.4. Families
// are declared once (name, type, help) and samples added in any order; Render writes each family
// once, `# HELP` and `# TYPE` first, then its samples in the order they were added. Names follow
// Prometheus' rules ([a-zA-Z_:][a-zA-Z0-9_:]*, labels without ':' and not starting with "__"),
// counters end with "_total"; breaking a rule, a duplicate label set or a sample for an
// undeclared family is an InvalidArgument naming the metric. Label values may hold anything: they
// are escaped. One writer per page, owned by whoever renders it; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"

namespace ebb::metrics {

// The Content-Type of a rendered page.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { kGauge, kCounter };

struct Label {
  std::string name;
  std::string value;
};
using Labels = std::vector<Label>;

bool IsValidMetricName(std::string_view name);
bool IsValidLabelName(std::string_view name);
// "NaN", "+Inf", "-Inf"; integral values up to 2^53 without exponent or decimals ("1000000");
// anything else in the shortest form that reads back to the same double.
std::string FormatSampleValue(double value);
// Label values: backslash, double quote and newline escaped as \\, \" and \n.
std::string EscapeLabelValue(std::string_view value);

class PrometheusText {
 public:
  // Declaring a family again with the same type and help is allowed (and does nothing).
  core::Status Declare(std::string_view name, MetricType type, std::string_view help);
  core::Status Add(std::string_view name, const Labels& labels, double value);
  // Exact integers beyond 2^53 (byte counters).
  core::Status AddInteger(std::string_view name, const Labels& labels, std::uint64_t value);

  std::string Render() const;

 private:
  struct Family {
    std::string name;
    MetricType type = MetricType::kGauge;
    std::string help;
    std::vector<std::string> samples;            // rendered lines
    std::unordered_set<std::string> label_sets;  // sorted and rendered, for duplicates
  };
  core::Status AddRendered(std::string_view name, const Labels& labels, std::string value);

  std::vector<Family> families_;  // in declaration order
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace ebb::metrics
