#include "metrics/prometheus_text.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ebb::metrics {
namespace {

bool IsNameStart(char c, bool colon_allowed) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon_allowed && c == ':');
}
bool IsNameChar(char c, bool colon_allowed) {
  return IsNameStart(c, colon_allowed) || (c >= '0' && c <= '9');
}
bool IsValidName(std::string_view name, bool colon_allowed) {
  if (name.empty() || !IsNameStart(name.front(), colon_allowed)) return false;
  return std::all_of(name.begin(), name.end(),
                     [colon_allowed](char c) { return IsNameChar(c, colon_allowed); });
}

// HELP text: backslash and newline escaped (quotes are not, unlike label values).
std::string EscapeHelp(std::string_view help) {
  std::string escaped;
  escaped.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string text = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) text += ',';
    text += labels[i].name;
    text += "=\"";
    text += EscapeLabelValue(labels[i].value);
    text += '"';
  }
  text += '}';
  return text;
}

}  // namespace

bool IsValidMetricName(std::string_view name) { return IsValidName(name, true); }

bool IsValidLabelName(std::string_view name) {
  return IsValidName(name, false) && !name.starts_with("__");
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  constexpr double kExactIntegers = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) <= kExactIntegers) {
    // -0.0 prints as "0": the exposition format has no use for the sign of zero.
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

std::string EscapeLabelValue(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

core::Status PrometheusText::Declare(std::string_view name, MetricType type,
                                     std::string_view help) {
  if (!IsValidMetricName(name)) {
    return core::InvalidArgumentError(fmt::format("metric '{}': not a valid metric name", name));
  }
  if (type == MetricType::kCounter && !name.ends_with("_total")) {
    return core::InvalidArgumentError(
        fmt::format("metric '{}': a counter's name must end with _total", name));
  }
  auto found = index_.find(std::string(name));
  if (found != index_.end()) {
    const Family& family = families_[found->second];
    if (family.type != type || family.help != help) {
      return core::InvalidArgumentError(
          fmt::format("metric '{}': declared again with another type or help", name));
    }
    return core::Status::Ok();
  }
  index_.emplace(std::string(name), families_.size());
  families_.push_back(Family{.name = std::string(name), .type = type, .help = std::string(help)});
  return core::Status::Ok();
}

core::Status PrometheusText::Add(std::string_view name, const Labels& labels, double value) {
  auto found = index_.find(std::string(name));
  if (found != index_.end() && families_[found->second].type == MetricType::kCounter && value < 0) {
    return core::InvalidArgumentError(
        fmt::format("metric '{}': a counter cannot be negative ({})", name, value));
  }
  return AddRendered(name, labels, FormatSampleValue(value));
}

core::Status PrometheusText::AddInteger(std::string_view name, const Labels& labels,
                                        std::uint64_t value) {
  return AddRendered(name, labels, std::to_string(value));
}

core::Status PrometheusText::AddRendered(std::string_view name, const Labels& labels,
                                         std::string value) {
  auto found = index_.find(std::string(name));
  if (found == index_.end()) {
    return core::InvalidArgumentError(
        fmt::format("metric '{}': a sample for a family that was not declared", name));
  }
  Family& family = families_[found->second];
  Labels sorted = labels;
  std::sort(sorted.begin(), sorted.end(),
            [](const Label& a, const Label& b) { return a.name < b.name; });
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    if (!IsValidLabelName(sorted[i].name)) {
      return core::InvalidArgumentError(
          fmt::format("metric '{}': label '{}': not a valid label name", name, sorted[i].name));
    }
    if (i > 0 && sorted[i].name == sorted[i - 1].name) {
      return core::InvalidArgumentError(
          fmt::format("metric '{}': label '{}' given twice", name, sorted[i].name));
    }
  }
  std::string key = RenderLabels(sorted);
  if (!family.label_sets.insert(key).second) {
    return core::InvalidArgumentError(
        fmt::format("metric '{}': a second sample with labels {}", name, key.empty() ? "{}" : key));
  }
  family.samples.push_back(fmt::format("{}{} {}\n", name, RenderLabels(labels), value));
  return core::Status::Ok();
}

std::string PrometheusText::Render() const {
  std::string text;
  for (const Family& family : families_) {
    text += fmt::format("# HELP {} {}\n# TYPE {} {}\n", family.name, EscapeHelp(family.help),
                        family.name, family.type == MetricType::kCounter ? "counter" : "gauge");
    for (const std::string& sample : family.samples) text += sample;
  }
  return text;
}

}  // namespace ebb::metrics
