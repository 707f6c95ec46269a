#include "sim/report_writer.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/html_report.h"

namespace ebb::sim {
namespace {

constexpr const char* kTimeseries = "timeseries.csv";
constexpr const char* kDecisions = "decisions.jsonl";
constexpr const char* kSummary = "summary.json";
constexpr const char* kHtml = "report.html";
constexpr const char* kConfig = "config.toml";
constexpr const char* kLatencyHistogram = "latency_histogram.csv";
constexpr std::array kFiles = {kTimeseries, kDecisions, kSummary,
                               kHtml,       kConfig,    kLatencyHistogram};

std::vector<std::pair<std::string, std::string>> SummaryRows(const SimSummary& s) {
  return {
      {"policy", s.policy},
      {"seed", std::to_string(s.seed)},
      {"simulated", fmt::format("{:.0f} s from Unix time {:.0f}", s.simulated_s, s.window_start)},
      {"requests", fmt::format("{} (completed {}, rejected {}, aborted {})", s.requests,
                               s.completed, s.rejected, s.aborted)},
      {"answered within the SLA", fmt::format("{:.4f} %", 100 * s.sla_ok_ratio)},
      {"response time",
       fmt::format("mean {:.4f} s, p50 {:.4f}, p95 {:.4f}, p99 {:.4f}, max {:.4f}",
                   s.response_time_s.mean, s.response_time_s.p50, s.response_time_s.p95,
                   s.response_time_s.p99, s.response_time_s.max)},
      {"energy", fmt::format("{:.3f} kWh (always on {:.3f} kWh: saved {:.1f} %)", s.energy_kwh,
                             s.always_on_energy_kwh, 100 * s.saving_ratio)},
      {"offline optimum",
       fmt::format("{:.3f} kWh (saves {:.1f} %): this run reached {:.1f} %", s.optimum_energy_kwh,
                   100 * s.optimum_saving_ratio, 100 * s.share_of_optimum_saving)},
      {"nodes", fmt::format("{:.2f} powered on average, {} boots, {} shutdowns",
                            s.mean_powered_nodes, s.boots, s.shutdowns)},
  };
}

}  // namespace

std::string ReportWriter::Path(const char* name, bool temporary) const {
  return (std::filesystem::path(dir_) / (temporary ? std::string(".") + name + ".tmp" : name))
      .string();
}

core::Result<std::unique_ptr<ReportWriter>> ReportWriter::Create(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return core::InvalidArgumentError(dir + ": cannot create: " + error.message());
  std::unique_ptr<ReportWriter> writer(new ReportWriter(dir));
  writer->timeseries_ = std::fopen(writer->Path(kTimeseries, true).c_str(), "w");
  writer->decisions_ = std::fopen(writer->Path(kDecisions, true).c_str(), "w");
  if (writer->timeseries_ == nullptr || writer->decisions_ == nullptr) {
    return core::InvalidArgumentError(dir + ": cannot write: " + std::strerror(errno));
  }
  std::fputs(
      "t_s,unix_time,arrival_rps,forecast_rps,serving_nodes,powered_nodes,queue,p95_latency_s,"
      "power_w\n",
      writer->timeseries_);
  return writer;
}

ReportWriter::~ReportWriter() {
  if (timeseries_ != nullptr) std::fclose(timeseries_);
  if (decisions_ != nullptr) std::fclose(decisions_);
  if (!committed_) RemoveTemporaries();
}

void ReportWriter::RemoveTemporaries() {
  std::error_code ignored;
  for (const char* name : kFiles) {
    std::filesystem::remove(Path(name, true), ignored);
  }
}

void ReportWriter::OnTick(const TimeseriesRow& r) {
  digest_.Add(r);
  const double unix_time = window_start_ + r.t * speedup_;
  fmt::print(timeseries_, "{:.3f},{:.3f},{:.4f},{:.4f},{:.0f},{:.0f},{:.0f},{:.6f},{:.2f}\n", r.t,
             unix_time, r.arrival_rps, r.forecast_rps, r.serving, r.powered, r.queue, r.p95_s,
             r.power_w);
}

void ReportWriter::Record(const control::DecisionRecord& d) {
  nlohmann::ordered_json j;
  j["t_s"] = d.at;
  j["unix_time"] = window_start_ + d.at * speedup_;
  j["policy"] = d.policy;
  j["rate_rps"] = d.rate_rps;
  j["expected_rps"] = d.expected_rps;
  j["serving"] = d.serving;
  j["booting"] = d.booting;
  j["policy_target"] = d.policy_target;
  j["target"] = d.target;
  j["actions"] = d.actions;
  j["reason"] = d.reason;
  const std::string line = j.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), decisions_);
}

core::Status ReportWriter::Commit(const SimSummary& summary, double sla_s) {
  bool ok = true;
  auto write = [&](const char* name, const std::string& text) {
    std::FILE* out = std::fopen(Path(name, true).c_str(), "w");
    if (out == nullptr) {
      ok = false;
      return;
    }
    ok = std::fwrite(text.data(), 1, text.size(), out) == text.size() && ok;
    ok = std::fclose(out) == 0 && ok;
  };
  write(kSummary, ToJson(summary).dump(2) + "\n");
  write(kConfig, config_);
  std::string histogram = "lower_s,upper_s,requests\n";
  for (const stats::LatencyHistogram::Bin& bin : summary.response_time_bins) {
    histogram += fmt::format("{:.9g},{:.9g},{}\n", bin.lower_s, bin.upper_s, bin.count);
  }
  write(kLatencyHistogram, histogram);
  write(kHtml, report::RenderHtmlReport({.title = "ebb simulate: " + summary.policy,
                                         .summary = SummaryRows(summary),
                                         .sla_s = sla_s,
                                         .series = &digest_}));
  ok = std::fclose(timeseries_) == 0 && ok;
  ok = std::fclose(decisions_) == 0 && ok;
  timeseries_ = decisions_ = nullptr;
  if (!ok) return core::InvalidArgumentError(dir_ + ": write failed: " + std::strerror(errno));
  std::error_code error;
  for (const char* name : kFiles) {
    std::filesystem::rename(Path(name, true), Path(name, false), error);
    if (error) return core::InvalidArgumentError(Path(name, false) + ": " + error.message());
  }
  committed_ = true;
  return core::Status::Ok();
}

}  // namespace ebb::sim
