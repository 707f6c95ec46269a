// ReportWriter: the files of `ebb simulate --out DIR`:
//   summary.json     the run's summary (the same object as --json)
//   timeseries.csv   one row per controller tick
//   decisions.jsonl  one JSON object per decision record
//   latency_histogram.csv  the completed requests' response times: lower_s,upper_s,requests per
//                    non-empty bucket, shortest first (the last upper_s may be inf)
//   report.html      the summary and plots of load, nodes, latency and power (no scripts)
//   config.toml      the configuration the run used, --set overrides applied
// Files are written under temporary names and renamed only by Commit, so a failed run leaves
// no half-written report behind (an older complete report in DIR stays as it was).
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "control/decision_record.h"
#include "core/status.h"
#include "report/timeseries_digest.h"
#include "sim/simulation.h"

namespace ebb::sim {

class ReportWriter final : public control::DecisionSink {
 public:
  static core::Result<std::unique_ptr<ReportWriter>> Create(const std::string& dir);
  ~ReportWriter() override;

  // Maps simulated time to trace time in the files; call before the run.
  void SetTimeBase(double window_start, double speedup) {
    window_start_ = window_start;
    speedup_ = speedup;
  }
  void Record(const control::DecisionRecord& record) override;
  void OnTick(const TimeseriesRow& row);
  // Writes summary.json, latency_histogram.csv and report.html and renames every file into place.
  // `sla_s` is drawn on the latency plot.
  core::Status Commit(const SimSummary& summary, double sla_s);
  // The configuration to keep beside the results (written by Commit).
  void SetEffectiveConfig(std::string toml) { config_ = std::move(toml); }

 private:
  explicit ReportWriter(std::string dir) : dir_(std::move(dir)) {}
  std::string Path(const char* name, bool temporary) const;
  void RemoveTemporaries();

  std::string dir_;
  std::FILE* timeseries_ = nullptr;
  std::FILE* decisions_ = nullptr;
  report::TimeseriesDigest digest_;
  std::string config_;
  double window_start_ = 0;
  double speedup_ = 1;
  bool committed_ = false;
};

}  // namespace ebb::sim
