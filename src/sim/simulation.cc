#include "sim/simulation.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "control/controller.h"
#include "core/virtual_event_loop.h"
#include "policy/policy_factory.h"
#include "sim/offline_optimum.h"
#include "sim/sim_cluster.h"
#include "sim/sim_power_driver.h"
#include "workload/arrivals.h"
#include "workload/random.h"
#include "workload/service_time.h"

namespace ebb::sim {
namespace {

constexpr double kJoulesPerKwh = 3.6e6;

// Counts the records that reach the caller's sink, and passes them on.
class CountingSink final : public control::DecisionSink {
 public:
  explicit CountingSink(control::DecisionSink* next) : next_(next) {}
  void Record(const control::DecisionRecord& record) override {
    ++count_;
    if (next_ != nullptr) next_->Record(record);
  }
  std::uint64_t count() const { return count_; }

 private:
  control::DecisionSink* next_;
  std::uint64_t count_ = 0;
};

double Percentile95(std::vector<double>& values) {
  if (values.empty()) return 0;
  const std::size_t rank =
      static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(values.size()))) - 1;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank),
                   values.end());
  return values[rank];
}

}  // namespace

nlohmann::ordered_json ToJson(const SimSummary& s, bool with_wall_time) {
  nlohmann::ordered_json j;
  j["policy"] = s.policy;
  j["seed"] = s.seed;
  j["window_start"] = s.window_start;
  j["simulated_s"] = s.simulated_s;
  j["requests"] = s.requests;
  j["completed"] = s.completed;
  j["rejected"] = s.rejected;
  j["aborted"] = s.aborted;
  j["sla_ok_ratio"] = s.sla_ok_ratio;
  j["response_time_s"] = {{"mean", s.response_time_s.mean},
                          {"p50", s.response_time_s.p50},
                          {"p95", s.response_time_s.p95},
                          {"p99", s.response_time_s.p99},
                          {"max", s.response_time_s.max}};
  j["energy_kwh"] = s.energy_kwh;
  j["always_on_energy_kwh"] = s.always_on_energy_kwh;
  j["saving_ratio"] = s.saving_ratio;
  j["optimum"] = {{"energy_kwh", s.optimum_energy_kwh},
                  {"saving_ratio", s.optimum_saving_ratio},
                  {"node_downtime_s", s.optimum_node_downtime_s}};
  j["share_of_optimum_saving"] = s.share_of_optimum_saving;
  j["node_downtime_s"] = s.node_downtime_s;
  j["mean_powered_nodes"] = s.mean_powered_nodes;
  j["mean_drain_s"] = s.mean_drain_s;
  j["cost"] = {{"c1", s.cost_c1},
               {"c2", s.cost_c2},
               {"mean", s.mean_cost},
               {"jobs", s.mean_jobs},
               {"powered", s.mean_powered_nodes}};
  j["boots"] = s.boots;
  j["shutdowns"] = s.shutdowns;
  j["decisions"] = s.decisions;
  j["events"] = s.events;
  if (with_wall_time) j["wall_s"] = s.wall_s;
  return j;
}

core::Result<SimSummary> RunSimulation(const SimConfig& config, const SimOutputs& outputs) {
  const auto wall_start = std::chrono::steady_clock::now();
  const std::vector<core::NodeSpec> specs = config.NodeSpecs();

  OfflineOptimum optimum({.nodes = config.nodes,
                          .min_nodes = config.controller.guard.min_serving,
                          .capacity_rps = config.capacity_rps,
                          .slot_s = config.controller.interval_s,
                          .boot_s = config.boot_s,
                          .shutdown_s = config.shutdown_s,
                          .power = config.power});
  EBB_ASSIGN_OR_RETURN(std::unique_ptr<workload::Arrivals> arrivals,
                       workload::Arrivals::Open(config.workload, config.seed, &optimum));
  EBB_ASSIGN_OR_RETURN(std::unique_ptr<policy::Policy> policy, policy::MakePolicy(config.policy));
  if (outputs.on_start) outputs.on_start(arrivals->window_start());

  core::VirtualEventLoop loop(0.0);
  SimCluster cluster(specs,
                     {.algorithm = config.algorithm,
                      .maxconn = config.maxconn,
                      .queue_timeout_s = config.queue_timeout_s,
                      .sla_s = config.sla_s,
                      .power = config.power,
                      .keep_interval_latencies = static_cast<bool>(outputs.on_tick),
                      .initially_on = config.initial_nodes},
                     loop);
  SimPowerDriver power(cluster, loop);
  CountingSink sink(outputs.decisions);
  control::Controller controller(specs, config.controller, cluster, power, *policy, &sink);

  // A second stream for service times, so that the arrival process of a seed does not depend
  // on the service time distribution.
  workload::Random service_random(config.seed ^ 0x5eed5eed5eed5eedULL);
  const workload::ServiceTime service(config.service_time);
  const double interval = config.controller.interval_s;

  bool end_applied = false;
  auto apply_end = [&] {
    if (!end_applied && arrivals->end_known()) {
      cluster.SetEnergyUntil(arrivals->end());
      end_applied = true;
    }
  };
  double last_energy_j = 0;
  double powered_node_seconds = 0;
  std::function<void()> tick = [&] {
    const core::Seconds now = loop.Now();
    apply_end();
    controller.Tick(now);
    const control::TickSummary& t = controller.last_tick();
    cluster.AccrueEnergy(now);
    const double energy = cluster.counters().energy_j;
    powered_node_seconds += t.powered * interval;
    if (outputs.on_tick) {
      outputs.on_tick(TimeseriesRow{
          .t = now,
          .arrival_rps = t.rate_rps,
          .forecast_rps = t.expected_rps,
          .serving = static_cast<double>(t.serving),
          .powered = static_cast<double>(t.powered),
          .queue = static_cast<double>(t.queued),
          .p95_s = Percentile95(cluster.TakeIntervalLatencies()),
          .power_w = (energy - last_energy_j) / interval,
      });
      cluster.TakeIntervalLatencies().clear();
    }
    last_energy_j = energy;
    const core::Seconds next = now + interval;
    if (!arrivals->status().ok()) return;  // the run failed: let the loop end
    if (!arrivals->end_known() || next <= arrivals->end() + 1e-9) loop.ScheduleAt(next, tick);
  };
  loop.ScheduleAt(interval, tick);

  std::uint64_t events = 0;
  std::uint64_t next_progress = 1u << 22;
  for (;;) {
    const core::Seconds ta = arrivals->Peek();
    const core::Seconds td = cluster.NextDepartureAt();
    const core::Seconds tt = loop.NextTimerAt();
    if (tt <= ta && tt <= td) {
      if (std::isinf(tt)) break;
      events += loop.RunUntil(tt);
    } else if (td <= ta) {
      loop.AdvanceTo(td);
      cluster.Depart();
      ++events;
    } else {
      loop.AdvanceTo(ta);
      cluster.Arrive(ta, service.Sample(service_random));
      arrivals->Pop();
      ++events;
    }
    if (events >= next_progress) {
      next_progress += 1u << 22;
      if (outputs.on_progress && arrivals->end_known() && arrivals->end() > 0) {
        outputs.on_progress(std::min(1.0, loop.Now() / arrivals->end()), events);
      }
    }
  }
  if (!arrivals->status().ok()) return arrivals->status();
  apply_end();
  const core::Seconds end = arrivals->end();
  if (!(end > 0)) {
    return core::InvalidArgumentError(config.workload.trace +
                                      ": no requests in the workload window");
  }
  cluster.AccrueEnergy(end);
  // Whatever is still queued when nothing can serve it any more was never answered.
  cluster.ExpireQueue(std::numeric_limits<double>::infinity());

  const SimCounters& c = cluster.counters();
  const OptimumResult best = optimum.Finish(end);
  SimSummary s;
  s.policy = config.policy.name;
  s.seed = config.seed;
  s.window_start = arrivals->window_start();
  s.simulated_s = end;
  s.requests = c.arrivals;
  s.completed = c.completed;
  s.rejected = c.rejected;
  s.aborted = c.aborted;
  s.sla_ok_ratio =
      c.arrivals == 0 ? 1.0 : static_cast<double>(c.sla_ok) / static_cast<double>(c.arrivals);
  const stats::LatencyHistogram& h = cluster.latencies();
  s.response_time_s = {.mean = h.mean(),
                       .p50 = h.Quantile(0.50),
                       .p95 = h.Quantile(0.95),
                       .p99 = h.Quantile(0.99),
                       .max = h.max()};
  s.response_time_bins = h.NonEmptyBins();
  const double always_on_j = config.nodes * config.power.idle_w * end + c.dynamic_energy_j;
  const double optimum_j = best.static_energy_j + c.dynamic_energy_j;
  s.energy_kwh = c.energy_j / kJoulesPerKwh;
  s.always_on_energy_kwh = always_on_j / kJoulesPerKwh;
  s.saving_ratio = always_on_j > 0 ? 1 - c.energy_j / always_on_j : 0;
  s.optimum_energy_kwh = optimum_j / kJoulesPerKwh;
  s.optimum_saving_ratio = always_on_j > 0 ? 1 - optimum_j / always_on_j : 0;
  s.optimum_node_downtime_s = best.node_downtime_s;
  s.share_of_optimum_saving =
      always_on_j - optimum_j > 0 ? (always_on_j - c.energy_j) / (always_on_j - optimum_j) : 0;
  s.node_downtime_s = c.node_downtime_s;
  s.mean_powered_nodes = end > 0 ? powered_node_seconds / end : 0;
  const control::ControllerCounters& cc = controller.counters();
  s.mean_drain_s =
      cc.drains_completed > 0 ? cc.drain_seconds / static_cast<double>(cc.drains_completed) : 0;
  s.cost_c1 = config.cost_c1;
  s.cost_c2 = config.cost_c2;
  s.mean_jobs = end > 0 ? c.job_seconds / end : 0;
  s.mean_cost = config.cost_c1 * s.mean_jobs + config.cost_c2 * s.mean_powered_nodes;
  s.boots = c.boots;
  s.shutdowns = c.shutdowns;
  s.decisions = sink.count();
  s.events = events;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return s;
}

}  // namespace ebb::sim
