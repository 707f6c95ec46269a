// Simulation: one trace-driven run of the real controller and policy against the simulated
// cluster, on virtual time. The loop takes the earliest of three event sources: the next arrival,
// the next departure, and the virtual event loop's timers (controller ticks, boot and shutdown
// completions); on ties, timers first, then departures, then arrivals. Deterministic for a seed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "control/decision_record.h"
#include "core/status.h"
#include "report/timeseries_digest.h"
#include "sim/sim_config.h"
#include "stats/latency_histogram.h"

namespace ebb::sim {

struct LatencySummary {
  double mean = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

struct SimSummary {
  std::string policy;
  std::uint64_t seed = 0;
  double window_start = 0;  // Unix time that simulated time 0 stands for
  double simulated_s = 0;
  std::uint64_t requests = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;
  std::uint64_t aborted = 0;
  double sla_ok_ratio = 0;  // completed within the SLA / requests (rejections are misses)
  LatencySummary response_time_s;
  // The completed requests' response times, for distribution plots (not part of ToJson).
  std::vector<stats::LatencyHistogram::Bin> response_time_bins;
  double energy_kwh = 0;
  double always_on_energy_kwh = 0;
  double saving_ratio = 0;
  double optimum_energy_kwh = 0;
  double optimum_saving_ratio = 0;
  double optimum_node_downtime_s = 0;
  double share_of_optimum_saving = 0;
  double node_downtime_s = 0;
  double mean_powered_nodes = 0;
  double mean_drain_s = 0;  // how long a drained node waited for its sessions, on average
  // Mitrani's and Mazzucco's cost C = c1 * L + c2 * S, per second on average over the run: L the
  // mean number of requests in the system (served or queued), S the mean number of powered nodes.
  double cost_c1 = 1, cost_c2 = 1;
  double mean_jobs = 0;
  double mean_cost = 0;
  std::uint64_t boots = 0;
  std::uint64_t shutdowns = 0;
  std::uint64_t decisions = 0;
  std::uint64_t events = 0;
  double wall_s = 0;
};

// Everything but wall_s is a function of the configuration and the seed.
nlohmann::ordered_json ToJson(const SimSummary& summary, bool with_wall_time = true);

// One row per controller tick: the report's sample (t in simulated seconds since the window
// start; p95 of the requests completed in the interval, 0 when none; power as the interval's
// mean). Trace time is derived from t by whoever knows the window (ReportWriter).
using TimeseriesRow = report::Point;

struct SimOutputs {
  // Called once the workload is open, with the Unix time that simulated time 0 stands for.
  std::function<void(double window_start)> on_start;
  std::function<void(const TimeseriesRow&)> on_tick;  // optional
  control::DecisionSink* decisions = nullptr;         // optional
  // Called every few million events with the share of simulated time done (optional).
  std::function<void(double done, std::uint64_t events)> on_progress;
};

core::Result<SimSummary> RunSimulation(const SimConfig& config, const SimOutputs& outputs = {});

}  // namespace ebb::sim
