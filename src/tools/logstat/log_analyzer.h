// LogAnalyzer: aggregates HAProxy HTTP log lines into request counts, timer distributions, status
// and termination-state counts and SLA violations, for all requests, per backend and per server.
// It is fed text (from any LogReader chunking) and keeps no reference to it: per-line work is a
// parse in place plus a few increments, and the only allocations are for a new backend/server
// name, a new termination state, a new timer value >= 4096 ms or a new second (--per-second).
//
// Definitions (also in `ebb logstat --help`):
// - service time = Tr; response time = the 5th timer (Tt in HAProxy 1.4, Ta in 1.5+). A timer of
//   -1 is counted as `missing` and left out of the statistics.
// - aborted = the termination state starts with 'C' (the client aborted) or 'c' (client-side
//   timeout): the client did not get a complete response.
// - SLA violation = response time > sla_ms, or status 5xx, or aborted; a request counts once.
// - lines = parsed + invalid + other; `other` are blank lines and syslog lines that are not HTTP
//   request logs (TCP `Connect from ...`, `Server ... is DOWN`): see http_log_line.h.
// Not thread-safe: one owner.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "tools/logstat/http_log_line.h"
#include "tools/logstat/timer_distribution.h"

namespace ebb::logstat {

struct AnalyzerOptions {
  std::int64_t sla_ms = 5000;
  bool per_second = false;           // count requests per accept second
  std::size_t invalid_examples = 5;  // how many invalid lines to keep for the report
};

// Counters of one set of requests (all, one backend or one server).
struct RequestStats {
  RequestStats();
  RequestStats(RequestStats&&) noexcept = default;
  RequestStats& operator=(RequestStats&&) noexcept = default;

  void Add(const HttpLogLine& line, std::int64_t sla_ms);
  void Merge(const RequestStats& other);

  std::uint64_t requests = 0;
  // status_counts[status + 1]: index 0 is status -1 (no response).
  std::unique_ptr<std::uint64_t[]> status_counts;
  static constexpr int kStatusSlots = 1001;
  // Termination states packed into 4 bytes, with their counts; a handful per log.
  std::vector<std::pair<std::uint32_t, std::uint64_t>> termination;
  TimerDistribution service_time;
  TimerDistribution response_time;
  std::uint64_t service_time_missing = 0;
  std::uint64_t response_time_missing = 0;
  std::uint64_t sla_violations = 0;
  std::uint64_t slow = 0;           // response time > sla_ms
  std::uint64_t server_errors = 0;  // 5xx
  std::uint64_t aborted = 0;
};

struct InvalidLine {
  std::string source;  // file name, "-" for stdin
  std::uint64_t line = 0;
  std::string field;
  std::string text;  // the line, cut to 200 bytes
};

struct BackendReport {
  RequestStats stats;
  std::map<std::string, RequestStats> servers;
};

struct LogReport {
  std::uint64_t lines = 0;
  std::uint64_t parsed = 0;
  std::uint64_t invalid = 0;
  std::uint64_t other = 0;
  std::int64_t sla_ms = 0;
  std::int64_t first_accept_ms = 0;  // only meaningful when parsed > 0
  std::int64_t last_accept_ms = 0;
  RequestStats total;
  std::map<std::string, BackendReport> backends;
  std::vector<InvalidLine> invalid_examples;
  std::vector<std::pair<std::int64_t, std::uint64_t>> per_second;  // sorted by Unix second
};

class LogAnalyzer {
 public:
  explicit LogAnalyzer(AnalyzerOptions options);

  // Starts a new input: line numbers in invalid-line reports restart at 1.
  void BeginSource(std::string name);
  // Adds complete lines; the text may end without '\n' only at the end of a source.
  void AddText(std::string_view text);
  void AddLine(std::string_view line);

  // Merges the per-server counters into backends and the total. Call once, at the end.
  LogReport Finish();

 private:
  struct Server {
    std::string backend;
    std::string server;
    RequestStats stats;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  Server& FindServer(const HttpLogLine& line);
  void CountSecond(std::int64_t second);

  AnalyzerOptions options_;
  std::string source_;
  std::uint64_t source_line_ = 0;
  LogReport report_;
  bool have_time_ = false;
  std::vector<std::unique_ptr<Server>> servers_;
  std::unordered_map<std::string, Server*, StringHash, std::equal_to<>> server_index_;
  std::string last_key_;
  Server* last_server_ = nullptr;
  std::unordered_map<std::int64_t, std::uint64_t> seconds_;
  std::int64_t last_second_ = 0;
  std::uint64_t* last_second_count_ = nullptr;
};

// The report as one JSON object: lines, parsed, invalid, other, sla_ms, first/last accept time,
// requests, status, termination, service_time_ms, response_time_ms (count, missing, mean,
// variance, min, max, scv, p50, p95, p99; null statistics when count is 0), sla_violations, sla
// (slow, server_errors, aborted: overlapping causes), backends (name -> the same, plus servers).
nlohmann::json ToJson(const LogReport& report);

// A readable summary and a per-backend/per-server table.
std::string FormatTable(const LogReport& report);

// Writes `unix_time,requests` rows (sorted; seconds without requests are omitted) to `path`
// through a temporary file renamed on success.
core::Status WritePerSecondCsv(const LogReport& report, const std::string& path);

}  // namespace ebb::logstat
