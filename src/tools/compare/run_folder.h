// RunFolder: what `ebb compare` reads back from one `ebb simulate --out` folder: summary.json,
// timeseries.csv (squeezed into a report::TimeseriesDigest for plotting) and
// latency_histogram.csv. Errors name the file (and line): a folder without summary.json is a run
// that has not finished, or failed (then failure.txt, when compare ran it, says why).
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "report/timeseries_digest.h"
#include "stats/latency_histogram.h"
#include "tools/compare/compare_plan.h"

namespace ebb::compare {

// Beside a run's files when `ebb compare` saw it fail: why (exit status and stderr's end).
constexpr const char* kFailureFile = "failure.txt";

// Points per run on the time plots, whatever the run's length.
constexpr std::size_t kPlotBuckets = 600;

struct RunData {
  RunSpec spec;
  nlohmann::json summary;
  report::TimeseriesDigest series{kPlotBuckets};
  std::vector<stats::LatencyHistogram::Bin> latency;
};

// `folder` is the comparison folder; the run's own is folder / spec.dir.
core::Result<RunData> ReadRunFolder(const std::filesystem::path& folder, const RunSpec& spec);

}  // namespace ebb::compare
