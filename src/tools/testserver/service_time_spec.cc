#include "tools/testserver/service_time_spec.h"

#include <charconv>
#include <cmath>
#include <vector>

#include <fmt/format.h>

namespace ebb::testserver {
namespace {

std::vector<std::string_view> Split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = s.find(separator);
    parts.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return parts;
    s.remove_prefix(at + 1);
  }
}

core::Result<double> ParseNumber(std::string_view text, std::string_view what) {
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() ||
      !std::isfinite(value)) {
    return core::InvalidArgumentError(fmt::format("{} \"{}\" is not a number", what, text));
  }
  return value;
}

}  // namespace

core::Result<workload::ServiceTimeOptions> ParseServiceTimeSpec(std::string_view spec) {
  const std::vector<std::string_view> parts = Split(spec, ':');
  const auto context = [&](const core::Status& status) {
    return status.WithContext(fmt::format("service time \"{}\"", spec));
  };
  core::Result<workload::ServiceTimeKind> kind = workload::ParseServiceTimeKind(parts[0]);
  if (!kind.ok()) return context(kind.status());
  const std::size_t expected = *kind == workload::ServiceTimeKind::kLogNormal ? 3 : 2;
  if (parts.size() != expected) {
    return context(core::InvalidArgumentError(*kind == workload::ServiceTimeKind::kLogNormal
                                                  ? "expected lognormal:MEAN:SCV"
                                                  : fmt::format("expected {}:MEAN", parts[0])));
  }
  workload::ServiceTimeOptions options{.kind = *kind};
  core::Result<double> mean = ParseNumber(parts[1], "mean");
  if (!mean.ok()) return context(mean.status());
  const bool zero_allowed = *kind == workload::ServiceTimeKind::kDeterministic;
  if (*mean < 0 || (*mean == 0 && !zero_allowed)) {
    return context(core::InvalidArgumentError(fmt::format("mean must be > 0 seconds")));
  }
  options.mean_s = *mean;
  if (*kind == workload::ServiceTimeKind::kLogNormal) {
    core::Result<double> scv = ParseNumber(parts[2], "SCV");
    if (!scv.ok()) return context(scv.status());
    if (*scv <= 0) return context(core::InvalidArgumentError("SCV must be > 0"));
    options.scv = *scv;
  }
  return options;
}

std::string ToSpec(const workload::ServiceTimeOptions& options) {
  if (options.kind == workload::ServiceTimeKind::kLogNormal) {
    return fmt::format("lognormal:{}:{}", options.mean_s, options.scv);
  }
  return fmt::format("{}:{}", workload::ToString(options.kind), options.mean_s);
}

}  // namespace ebb::testserver
