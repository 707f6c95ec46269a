#include "tools/replay/replay_report.h"

namespace ebb::replay {

LatencySummary Summarize(const stats::LatencyHistogram& seconds) {
  if (seconds.count() == 0) return {};
  return {.mean_ms = 1e3 * seconds.mean(),
          .p50_ms = 1e3 * seconds.Quantile(0.50),
          .p95_ms = 1e3 * seconds.Quantile(0.95),
          .p99_ms = 1e3 * seconds.Quantile(0.99),
          .max_ms = 1e3 * seconds.max()};
}

std::string_view ToString(ReplayMode mode) {
  return mode == ReplayMode::kSchedule ? "schedule" : "max-rate";
}

namespace {

nlohmann::json ToJson(const LatencySummary& s) {
  return {{"mean", s.mean_ms},
          {"p50", s.p50_ms},
          {"p95", s.p95_ms},
          {"p99", s.p99_ms},
          {"max", s.max_ms}};
}

}  // namespace

nlohmann::json ToJson(const ReplayReport& r) {
  return {
      {"mode", ToString(r.mode)},
      {"target", r.target},
      {"interrupted", r.interrupted},
      {"elapsed_s", r.elapsed_s},
      {"scheduled", r.scheduled},
      {"sent", r.sent},
      {"completed", r.completed},
      {"unfinished", r.unfinished},
      {"errors",
       {{"connect", r.errors.connect},
        {"timeout", r.errors.timeout},
        {"reset", r.errors.reset},
        {"status", r.errors.status},
        {"protocol", r.errors.protocol},
        {"total", r.errors.total()}}},
      {"status_codes",
       {{"2xx", r.status_2xx},
        {"3xx", r.status_3xx},
        {"4xx", r.status_4xx},
        {"5xx", r.status_5xx},
        {"other", r.status_other}}},
      {"sla_ms", r.sla_ms},
      {"sla_ok", r.sla_ok},
      {"sla_ok_ratio", r.sla_ok_ratio},
      {"achieved_rps", r.achieved_rps},
      {"connections_opened", r.connections_opened},
      {"max_connections", r.max_connections},
      {"first_byte_ms", ToJson(r.first_byte_ms)},
      {"response_ms", ToJson(r.response_ms)},
      {"schedule_lag_ms", ToJson(r.schedule_lag_ms)},
  };
}

}  // namespace ebb::replay
