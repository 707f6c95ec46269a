// ReplayReport: what one replay measured, and its JSON form. Times are milliseconds. Latency
// percentiles come from stats::LatencyHistogram (log-linear buckets, under 0.4 % off).
//
// Counting: every request whose send time came is `scheduled`. It then ends as exactly one of
// completed (a whole response, any status), a connect / timeout / reset / protocol error, or
// `unfinished` (still queued or in flight when the run was stopped by SIGINT or, in max-rate
// mode, by the end of --duration). Responses with status >= 400 are completed and also counted in
// errors.status. A request meets the SLA when it completed with a status < 400 within sla_ms of
// its scheduled time (so waiting for a free connection counts); errors are misses, unlike
// servload, and sla_ok_ratio = sla_ok / (scheduled - unfinished).
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "stats/latency_histogram.h"

namespace ebb::replay {

struct LatencySummary {
  double mean_ms = 0;
  double p50_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};
LatencySummary Summarize(const stats::LatencyHistogram& seconds);

struct ErrorCounts {
  std::uint64_t connect = 0;   // refused, unreachable, or no connection within the timeout
  std::uint64_t timeout = 0;   // no whole response within the timeout (or queued that long)
  std::uint64_t reset = 0;     // the peer closed or reset the connection before the response end
  std::uint64_t status = 0;    // HTTP status >= 400 (also counted as completed)
  std::uint64_t protocol = 0;  // a response that is not HTTP/1.x
  // Requests that failed: everything but status (those completed).
  std::uint64_t failed() const { return connect + timeout + reset + protocol; }
  std::uint64_t total() const { return failed() + status; }
};

enum class ReplayMode { kSchedule, kMaxRate };

struct ReplayReport {
  ReplayMode mode = ReplayMode::kSchedule;
  std::string target;
  bool interrupted = false;  // stopped by SIGINT (or the stop flag)
  double elapsed_s = 0;      // wall time from the first send to the end of the run
  std::uint64_t scheduled = 0;
  std::uint64_t sent = 0;
  std::uint64_t completed = 0;
  std::uint64_t unfinished = 0;
  ErrorCounts errors;
  std::uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_5xx = 0, status_other = 0;
  double sla_ms = 0;
  std::uint64_t sla_ok = 0;
  double sla_ok_ratio = 0;
  double achieved_rps = 0;  // completed / elapsed
  std::uint64_t connections_opened = 0;
  std::uint64_t max_connections = 0;
  LatencySummary first_byte_ms;
  LatencySummary response_ms;
  LatencySummary schedule_lag_ms;  // schedule mode only
};

nlohmann::json ToJson(const ReplayReport& report);
std::string_view ToString(ReplayMode mode);

}  // namespace ebb::replay
