#include "apps/cli/replay_command.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "apps/cli/sigint_scope.h"
#include "tools/replay/replayer.h"
#include "workload/trace_reader.h"

namespace ebb::cli {
namespace {

struct ReplayArgs {
  std::string trace;
  std::string target;
  double speedup = 1;
  double scale = 1;
  std::optional<double> duration_s;
  std::string arrivals;  // empty: exact for per-request traces, poisson for counts
  int connections = 64;
  double timeout_ms = 10000;
  bool max_rate = false;
  bool json = false;
  double sla_ms = 5000;
  std::uint64_t seed = 1;
  double spin_us = 50;
};

void PrintLatency(const char* name, const replay::LatencySummary& s) {
  fmt::print("{:<18}p50 {:.3f}  p95 {:.3f}  p99 {:.3f}  max {:.3f}  (mean {:.3f})\n", name,
             s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms, s.mean_ms);
}

void PrintTable(const replay::ReplayReport& r) {
  fmt::print("target            {}  ({}{})\n", r.target, replay::ToString(r.mode),
             r.interrupted ? ", interrupted" : "");
  fmt::print("elapsed           {:.3f} s, {} connections opened (at most {})\n", r.elapsed_s,
             r.connections_opened, r.max_connections);
  fmt::print("requests          scheduled {}  sent {}  completed {}  unfinished {}\n", r.scheduled,
             r.sent, r.completed, r.unfinished);
  fmt::print("errors            connect {}  timeout {}  reset {}  status {}  protocol {}\n",
             r.errors.connect, r.errors.timeout, r.errors.reset, r.errors.status,
             r.errors.protocol);
  fmt::print("status codes      2xx {}  3xx {}  4xx {}  5xx {}  other {}\n", r.status_2xx,
             r.status_3xx, r.status_4xx, r.status_5xx, r.status_other);
  fmt::print("SLA ({:.0f} ms)      {:.4f} answered in time (errors count as misses)\n", r.sla_ms,
             r.sla_ok_ratio);
  fmt::print("achieved          {:.1f} requests/s\n", r.achieved_rps);
  PrintLatency("first byte (ms)", r.first_byte_ms);
  PrintLatency("response (ms)", r.response_ms);
  if (r.mode == replay::ReplayMode::kSchedule) PrintLatency("schedule lag (ms)", r.schedule_lag_ms);
}

int Fail(const std::string& message) {
  fmt::print(stderr, "ebb replay: {}\n", message);
  return 2;
}

int RunReplay(const ReplayArgs& args) {
  core::Result<replay::HttpUrl> url = replay::ParseHttpUrl(args.target);
  if (!url.ok()) return Fail(url.status().message());
  if (args.connections < 1 || args.connections > 100000) {
    return Fail("--connections must be in 1..100000");
  }
  if (!(args.timeout_ms > 0) || !std::isfinite(args.timeout_ms)) {
    return Fail("--timeout-ms must be > 0");
  }
  if (!(args.sla_ms > 0) || !std::isfinite(args.sla_ms)) return Fail("--sla-ms must be > 0");
  if (!(args.spin_us >= 0 && args.spin_us <= 1e6)) return Fail("--spin-us must be in 0..1e6");
  if (args.duration_s && !(*args.duration_s > 0 && *args.duration_s < 1e7)) {
    return Fail("--duration must be > 0 seconds");
  }

  replay::ReplayOptions options{
      .target = *url,
      .connections = args.connections,
      .timeout_s = args.timeout_ms / 1e3,
      .sla_s = args.sla_ms / 1e3,
      .spin_s = args.spin_us / 1e6,
      .stop = &SigintScope::Interrupted(),
  };
  std::unique_ptr<replay::SendSchedule> schedule;
  if (args.max_rate) {
    if (!args.trace.empty()) return Fail("--max-rate sends as fast as it can: give no TRACE");
    options.duration_s = args.duration_s.value_or(10);
  } else {
    if (args.trace.empty()) return Fail("give a TRACE to replay (or --max-rate)");
    std::string arrivals = args.arrivals;
    if (arrivals.empty()) {
      // A per-request trace already holds each request's time: send each exactly once.
      auto reader = workload::TraceReader::Open(args.trace);
      if (!reader.ok()) return Fail(reader.status().message());
      arrivals = (*reader)->format() == workload::TraceFormat::kPerRequest ? "exact" : "poisson";
    }
    core::Result<workload::ArrivalMode> mode = workload::ParseArrivalMode(arrivals);
    if (!mode.ok()) return Fail(mode.status().message());
    auto opened = replay::ArrivalsSchedule::Open(
        {.trace = args.trace, .arrivals = *mode, .scale = args.scale, .speedup = args.speedup},
        args.seed, args.duration_s);
    if (!opened.ok()) return Fail(opened.status().message());
    schedule = std::move(opened).value();
    if (args.duration_s) options.duration_s = *args.duration_s;
  }

  const bool terminal = isatty(STDERR_FILENO) == 1;
  if (terminal) {
    options.on_progress = [](const replay::ReplayProgress& p) {
      fmt::print(stderr,
                 "\rreplay: {:6.1f} s  scheduled {}  completed {}  errors {}  in flight {}  queued "
                 "{}\033[K",
                 p.elapsed_s, p.scheduled, p.completed, p.errors, p.in_flight, p.queued);
      std::fflush(stderr);
    };
  }
  core::Result<replay::ReplayReport> report = [&] {
    SigintScope sigint;
    return args.max_rate ? replay::RunMaxRate(options) : replay::RunSchedule(options, *schedule);
  }();
  if (terminal) fmt::print(stderr, "\r\033[K");
  if (!report.ok()) {
    fmt::print(stderr, "ebb replay: {}\n", report.status().message());
    return 1;
  }
  if (args.json) {
    fmt::print("{}\n", replay::ToJson(*report).dump());
  } else {
    PrintTable(*report);
  }
  std::fflush(stdout);
  return report->interrupted ? 130 : 0;
}

}  // namespace

void AddReplayCommand(CLI::App& app) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Send a trace's requests to one HTTP server at their times (open loop), or --max-rate");
  cmd->add_option("trace", args->trace,
                  "trace file: per-second or per-minute counts, or per-request times");
  cmd->add_option("--target", args->target, "the only URL requests go to: http://HOST:PORT/PATH")
      ->required();
  cmd->add_option("--speedup", args->speedup, "replay this many times faster than the trace");
  cmd->add_option("--scale", args->scale, "multiply the trace's request counts");
  cmd->add_option("--duration", args->duration_s,
                  "seconds of replay (after speedup); --max-rate: run length, default 10");
  cmd->add_option("--arrivals", args->arrivals,
                  "spread counts within a bin: poisson or exact (default: exact for per-request "
                  "traces, poisson for counts)");
  cmd->add_option("--connections", args->connections, "most connections open at once (64)");
  cmd->add_option("--timeout-ms", args->timeout_ms,
                  "connect timeout, and response timeout from the send (10000)");
  cmd->add_flag("--max-rate", args->max_rate,
                "closed loop: each connection sends the next request on the previous answer");
  cmd->add_flag("--json", args->json, "print the report as one JSON object");
  cmd->add_option("--sla-ms", args->sla_ms,
                  "a request meets the SLA when answered (< 400) this soon after its time (5000)");
  cmd->add_option("--seed", args->seed, "random seed for the arrivals (1)");
  // Tuning, hidden: how long before a send the loop stops sleeping and polls.
  cmd->add_option("--spin-us", args->spin_us, "poll without sleeping this long before a send")
      ->group("");
  cmd->callback([args] { throw CLI::RuntimeError(RunReplay(*args)); });
}

}  // namespace ebb::cli
