#include "sim/report_writer.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ebb::sim {
namespace {

constexpr const char* kTimeseries = "timeseries.csv";
constexpr const char* kDecisions = "decisions.jsonl";
constexpr const char* kSummary = "summary.json";

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
  for (const char* name : {kTimeseries, kDecisions, kSummary}) {
    std::filesystem::remove(Path(name, true), ignored);
  }
}

void ReportWriter::OnTick(const TimeseriesRow& r) {
  fmt::print(timeseries_, "{:.3f},{:.3f},{:.4f},{:.4f},{},{},{},{:.6f},{:.2f}\n", r.t, r.unix_time,
             r.arrival_rps, r.forecast_rps, r.serving, r.powered, r.queue, r.p95_s, r.power_w);
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

core::Status ReportWriter::Commit(const SimSummary& summary) {
  std::FILE* out = std::fopen(Path(kSummary, true).c_str(), "w");
  if (out == nullptr) {
    return core::InvalidArgumentError(Path(kSummary, true) + ": " + std::strerror(errno));
  }
  const std::string text = ToJson(summary).dump(2) + "\n";
  std::fwrite(text.data(), 1, text.size(), out);
  bool ok = std::fclose(out) == 0;
  ok = std::fclose(timeseries_) == 0 && ok;
  ok = std::fclose(decisions_) == 0 && ok;
  timeseries_ = decisions_ = nullptr;
  if (!ok) return core::InvalidArgumentError(dir_ + ": write failed: " + std::strerror(errno));
  std::error_code error;
  for (const char* name : {kTimeseries, kDecisions, kSummary}) {
    std::filesystem::rename(Path(name, true), Path(name, false), error);
    if (error) return core::InvalidArgumentError(Path(name, false) + ": " + error.message());
  }
  committed_ = true;
  return core::Status::Ok();
}

}  // namespace ebb::sim
