// Simulator speed: simulated requests per second of wall time on the M/M/c model of the issue
// (lambda = 90/s, mu = 10/s, c = 10, always on, controller ticking every second).
//   build/release/bench/sim_benchmark --benchmark_repetitions=5
// items_per_second is simulated requests per wall second.
#include <benchmark/benchmark.h>

#include "sim/simulation.h"

namespace {

ebb::sim::SimConfig Mmc(double duration_s) {
  ebb::sim::SimConfig c;
  c.nodes = 10;
  c.maxconn = 1;
  c.service_time = {.kind = ebb::workload::ServiceTimeKind::kExponential, .mean_s = 0.1};
  c.capacity_rps = 10;
  c.queue_timeout_s = 1e12;
  c.workload.rate_rps = 90;
  c.workload.duration_s = duration_s;
  c.policy.name = "always-on";
  c.seed = 1;
  return c;
}

// Runs `config` once per iteration; items are simulated requests.
void RunSimulations(benchmark::State& state, const ebb::sim::SimConfig& config) {
  std::uint64_t requests = 0;
  for (auto _ : state) {
    auto summary = ebb::sim::RunSimulation(config);
    if (!summary.ok()) {
      state.SkipWithError(summary.status().ToString().c_str());
      return;
    }
    requests += summary->requests;
    benchmark::DoNotOptimize(summary->response_time_s.mean);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(requests));
}

void BM_MmcAlwaysOn(benchmark::State& state) {
  RunSimulations(state, Mmc(static_cast<double>(state.range(0))));
}
// 100,000 simulated seconds: 9 million requests per iteration.
BENCHMARK(BM_MmcAlwaysOn)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same with a power-managing policy, so that the controller's work is in the figure.
void BM_MmcRegression(benchmark::State& state) {
  ebb::sim::SimConfig config = Mmc(static_cast<double>(state.range(0)));
  config.nodes = 16;
  config.policy.name = "regression";
  RunSimulations(state, config);
}
BENCHMARK(BM_MmcRegression)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
