#include "tools/compare/run_folder.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "tools/compare/text_file.h"

namespace ebb::compare {
namespace {

namespace fs = std::filesystem;

std::vector<std::string_view> SplitCsv(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const std::size_t comma = line.find(',');
    fields.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) return fields;
    line.remove_prefix(comma + 1);
  }
}

std::optional<double> ParseNumber(std::string_view text) {
  if (text == "inf") return std::numeric_limits<double>::infinity();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Calls `row(values)` for every data line of a CSV file, the values in the order of `columns`
// (looked up by name in the header: files may gain columns).
core::Status ReadCsv(const fs::path& path, const std::vector<std::string_view>& columns,
                     const std::function<void(const std::vector<double>&)>& row) {
  // Streamed: a month at one row per second is hundreds of megabytes.
  std::ifstream in(path);
  if (!in) return core::NotFoundError(path.string() + ": cannot open");
  std::string line;
  std::getline(in, line);
  const std::vector<std::string_view> header = SplitCsv(line);
  std::vector<std::size_t> where;
  for (std::string_view column : columns) {
    const auto it = std::find(header.begin(), header.end(), column);
    if (it == header.end()) {
      return core::InvalidArgumentError(
          fmt::format("{}:1: no column \"{}\"", path.string(), column));
    }
    where.push_back(static_cast<std::size_t>(it - header.begin()));
  }
  std::vector<double> values(columns.size());
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::vector<std::string_view> fields = SplitCsv(line);
    for (std::size_t i = 0; i < where.size(); ++i) {
      const std::optional<double> value =
          where[i] < fields.size() ? ParseNumber(fields[where[i]]) : std::nullopt;
      if (!value) {
        return core::InvalidArgumentError(
            fmt::format("{}:{}: field \"{}\": not a number", path.string(), number, columns[i]));
      }
      values[i] = *value;
    }
    row(values);
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<RunData> ReadRunFolder(const fs::path& folder, const RunSpec& spec) {
  const fs::path dir = folder / spec.dir;
  RunData run{.spec = spec};
  core::Result<std::string> summary = ReadTextFile(dir / "summary.json");
  if (!summary.ok()) {
    core::Result<std::string> failure = ReadTextFile(dir / kFailureFile);
    if (failure.ok()) {
      return core::NotFoundError(fmt::format("{}: failed: {}", dir.string(), *failure));
    }
    return core::NotFoundError(
        fmt::format("{}: no summary.json: the run has not finished, or it failed", dir.string()));
  }
  run.summary = nlohmann::json::parse(*summary, nullptr, /*allow_exceptions=*/false);
  if (!run.summary.is_object()) {
    return core::InvalidArgumentError((dir / "summary.json").string() + ": not a JSON object");
  }
  EBB_RETURN_IF_ERROR(ReadCsv(dir / "timeseries.csv",
                              {"t_s", "arrival_rps", "forecast_rps", "serving_nodes",
                               "powered_nodes", "queue", "p95_latency_s", "power_w"},
                              [&run](const std::vector<double>& v) {
                                run.series.Add({.t = v[0],
                                                .arrival_rps = v[1],
                                                .forecast_rps = v[2],
                                                .serving = v[3],
                                                .powered = v[4],
                                                .queue = v[5],
                                                .p95_s = v[6],
                                                .power_w = v[7]});
                              }));
  EBB_RETURN_IF_ERROR(ReadCsv(dir / "latency_histogram.csv", {"lower_s", "upper_s", "requests"},
                              [&run](const std::vector<double>& v) {
                                run.latency.push_back({.lower_s = v[0],
                                                       .upper_s = v[1],
                                                       .count = static_cast<std::uint64_t>(v[2])});
                              }));
  return run;
}

}  // namespace ebb::compare
