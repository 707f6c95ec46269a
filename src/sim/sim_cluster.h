// SimCluster: the simulated nodes and the balancer in front of them, with HAProxy's semantics:
// per-server maxconn, one FCFS backend queue, queue timeout (503), algorithms roundrobin,
// leastconn and first, admin states ready/drain/maint, and a health check that is UP while the
// node is powered on and booted. It implements lb::LoadBalancer for the controller; the simulator
// drives requests through Arrive/Depart and power through SimPowerDriver. Energy is integrated
// exactly: power is constant between two events, so every event first accrues the energy since
// the one before. Single-threaded; memory grows with nodes and requests in flight only.
#pragma once

#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/node.h"
#include "core/power_model.h"
#include "lb/load_balancer.h"
#include "stats/latency_histogram.h"

namespace ebb::sim {

// Neumaier's compensated summation: the error stays at one rounding, not one per addition.
class CompensatedSum {
 public:
  void Add(double x) {
    const double t = sum_ + x;
    compensation_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  double Sum() const { return sum_ + compensation_; }

 private:
  double sum_ = 0;
  double compensation_ = 0;
};

struct SimClusterOptions {
  lb::Algorithm algorithm = lb::Algorithm::kLeastConn;
  int maxconn = 1;
  core::Seconds queue_timeout_s = 30;
  core::Seconds sla_s = 5;
  core::Seconds energy_until = std::numeric_limits<double>::infinity();  // end of the window
  core::PowerModel power;
  bool keep_interval_latencies = false;  // for the per-interval p95 of the time series
  // Nodes powered on (and ready) at time 0; the rest start powered off, in maint. -1: all.
  int initially_on = -1;
};

struct SimCounters {
  std::uint64_t arrivals = 0;
  std::uint64_t completed = 0;
  std::uint64_t rejected = 0;  // 503: no server usable, or queue timeout
  std::uint64_t aborted = 0;   // cut by a power-off while being served
  std::uint64_t sla_ok = 0;    // completed within sla_s
  std::uint64_t boots = 0;
  std::uint64_t shutdowns = 0;
  double job_seconds = 0;  // the integral of the requests in the system (served or queued)
  double energy_j = 0;
  double dynamic_energy_j = 0;  // the part above idle caused by sessions
  double node_downtime_s = 0;   // node-seconds powered off
};

class SimCluster final : public lb::LoadBalancer {
 public:
  enum class Power : std::uint8_t { kOff, kBooting, kOn, kShuttingDown };

  // The first `initially_on` nodes start powered on and ready, the others off in maint (as a
  // live cluster whose spare servers are off). `clock` stamps the balancer's answers.
  SimCluster(const std::vector<core::NodeSpec>& nodes, const SimClusterOptions& options,
             const core::Clock& clock);

  // Requests.
  void Arrive(core::Seconds now, double service_s);
  core::Seconds NextDepartureAt() const {
    return departures_.empty() ? std::numeric_limits<double>::infinity() : departures_[0].done;
  }
  // Completes the earliest departure, at its own time.
  void Depart();
  // Rejects queued requests that waited longer than the queue timeout.
  void ExpireQueue(core::Seconds now);
  bool Idle() const { return departures_.empty() && queue_.empty(); }

  // Power, driven by SimPowerDriver.
  void BeginBoot(core::NodeId node, core::Seconds now);
  void FinishBoot(core::NodeId node, core::Seconds now);
  void BeginShutdown(core::NodeId node, core::Seconds now);
  void FinishShutdown(core::NodeId node, core::Seconds now);
  Power power(core::NodeId node) const { return nodes_[node].power; }

  // Energy stops counting at the window's end; requests still finish after it.
  void SetEnergyUntil(core::Seconds end) { options_.energy_until = end; }
  // Accrues energy up to `now` (capped at the window's end).
  void AccrueEnergy(core::Seconds now);
  double CurrentPowerW() const;

  // lb::LoadBalancer
  core::Status Poll(lb::BackendStats& out) override;
  core::Status SetAdminState(std::string_view server, lb::AdminState state) override;

  const SimCounters& counters() const { return counters_; }
  const stats::LatencyHistogram& latencies() const { return latencies_; }
  std::size_t queued() const { return queue_.size(); }
  int in_flight() const { return static_cast<int>(departures_.size()); }
  // Requests being served or waiting in the backend queue: Mitrani's L, sampled exactly.
  std::int64_t jobs_in_system() const {
    return total_active_ + static_cast<std::int64_t>(queue_.size());
  }
  // Response times completed since the last call, for one time-series row; cleared by the call.
  std::vector<double>& TakeIntervalLatencies() { return interval_latencies_; }

 private:
  struct Node {
    std::string name;
    lb::AdminState admin = lb::AdminState::kReady;
    Power power = Power::kOn;
    int active = 0;
    std::uint32_t epoch = 0;  // bumped at power-off: older departures were aborted
    // leastconn: intrusive list of available nodes with the same number of sessions.
    core::NodeId prev = -1;
    core::NodeId next = -1;
    bool listed = false;
  };
  struct Departure {
    double done;
    double arrived;
    core::NodeId node;
    std::uint32_t epoch;
  };
  struct Queued {
    double arrived;
    double service_s;
  };
  struct Later {
    bool operator()(const Departure& a, const Departure& b) const { return a.done > b.done; }
  };

  bool Usable(const Node& n) const {
    return n.admin == lb::AdminState::kReady && n.power == Power::kOn;
  }
  bool Available(const Node& n) const { return Usable(n) && n.active < maxconn_; }
  core::NodeId PickServer();
  void Dispatch(core::NodeId id, core::Seconds now, double arrived, double service_s);
  // Keeps the pick structures right after node `id` changed sessions, admin or power.
  void Relist(core::NodeId id);
  void Unlink(core::NodeId id);
  void LinkTail(core::NodeId id);
  // A node with free slots takes requests from the backend queue, oldest first.
  void ServeQueue(core::NodeId id, core::Seconds now);
  void RecordLatency(double seconds);
  void PowerChanged(Node& n, Power to, core::Seconds now);

  SimClusterOptions options_;
  int maxconn_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, core::NodeId> by_name_;
  std::vector<Departure> departures_;  // min-heap on `done`
  std::deque<Queued> queue_;
  int usable_ = 0;  // nodes in rotation and powered on

  // leastconn: lists per session count, and the lowest non-empty one.
  std::vector<core::NodeId> level_head_;
  std::vector<core::NodeId> level_tail_;
  int min_level_ = 0;
  // roundrobin and first: availability bits, one per node.
  std::vector<std::uint64_t> available_bits_;
  std::size_t rr_cursor_ = 0;

  // Power accounting: number of nodes per power state, and total sessions on powered nodes.
  int count_by_power_[4] = {0, 0, 0, 0};
  std::int64_t total_active_ = 0;
  core::Seconds energy_at_ = 0;
  const core::Clock& clock_;

  // Hundreds of millions of small increments: summed with compensation.
  CompensatedSum energy_;
  CompensatedSum dynamic_energy_;
  SimCounters counters_;
  stats::LatencyHistogram latencies_;
  std::vector<double> interval_latencies_;
};

}  // namespace ebb::sim
