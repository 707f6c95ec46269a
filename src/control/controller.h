// Controller: the one class that decides which nodes to boot, drain and power off. It runs
// unchanged in the daemon (real clock, HAProxy, real power drivers) and in the simulator (virtual
// clock, simulated balancer and nodes): everything it touches comes through LoadBalancer,
// PowerDriver and the `now` passed to Tick. One tick:
//   observe   poll the balancer, drain power completions, reconcile node states and deadlines
//   snapshot  serving / booting counts and the load history (arrival rate per interval)
//   decide    the policy's target, with its reason
//   guard     min/max, cooldowns, transitions per tick, no scale-down on stale data
//   select    which nodes (NodeSelector)
//   act       up: ready a drained/offline node or power one on (BOOTING -> health UP -> ready)
//             down: drain -> no sessions (or drain deadline) -> maint -> power off -> DOWN
//   record    a DecisionRecord to the sink when the tick acted or the guard held something back
// Owned and called by one event-loop thread. Runtime faults (a failed poll, a failed command)
// are counted and logged in the record; they never stop the loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/decision_record.h"
#include "control/guard.h"
#include "control/node_runtime.h"
#include "core/load_history.h"
#include "core/node.h"
#include "lb/load_balancer.h"
#include "policy/policy.h"
#include "power/power_driver.h"

namespace ebb::control {

struct ControllerOptions {
  core::Seconds interval_s = 1;
  GuardOptions guard;
  core::Seconds drain_timeout_s = 60;     // a draining node is taken out even with sessions left
  core::Seconds boot_timeout_factor = 3;  // a boot fails after factor * boot_s (+ interval)
  core::Seconds power_off_timeout_s = 300;
  // A running node taken back from maint waits in drain this long for its health check.
  core::Seconds check_timeout_s = 30;
  std::size_t history_samples = 1024;                 // load samples kept (ring buffer)
  policy::ServiceModel model;                         // passed to the policy as it is
  lb::Algorithm balance = lb::Algorithm::kLeastConn;  // the balancer's: which nodes empty first
};

// What the last tick saw and did, for time series and metrics.
struct TickSummary {
  core::Seconds at = 0;
  bool have_rate = false;
  double rate_rps = 0;
  double expected_rps = 0;
  int target = 0;
  int serving = 0;  // after acting
  int powered = 0;  // not DOWN
  int booting = 0;
  int queued = 0;
};

struct ControllerCounters {
  std::uint64_t ticks = 0;
  std::uint64_t poll_failures = 0;
  std::uint64_t boots = 0;
  std::uint64_t power_offs = 0;
  std::uint64_t drains = 0;
  std::uint64_t drains_completed = 0;
  double drain_seconds = 0;  // summed over completed drains: how long nodes waited for sessions
  std::uint64_t readies = 0;
  std::uint64_t boot_failures = 0;
  std::uint64_t command_failures = 0;
};

class Controller {
 public:
  Controller(std::vector<core::NodeSpec> nodes, ControllerOptions options, lb::LoadBalancer& lb,
             power::PowerDriver& power, policy::Policy& policy, DecisionSink* sink = nullptr);

  void Tick(core::Seconds now);

  // Start-up adoption (before the first tick). What the power driver reports of each node: it
  // settles the nodes that the balancer cannot (a server in maint has no health check).
  void AdoptPowerStatus(core::NodeId node, power::PowerStatus status);
  // A node's state as a previous run left it (from the state store). A transitional state goes
  // on where it stopped: a drain completes, a boot waits for its health check, a power-off that
  // the driver still reports on is sent again. `power` is the driver's view of the node now.
  void Restore(core::NodeId node, const NodeRuntime& saved, power::PowerStatus power,
               core::Seconds now);
  // The last scale-up and last scale action of a previous run, so cooldowns survive a restart.
  void RestoreCooldowns(core::Seconds last_up_at, core::Seconds last_any_at);
  core::Seconds last_up_at() const { return last_up_at_; }
  core::Seconds last_any_at() const { return last_any_at_; }
  // A reloaded configuration: new options and policy (the node list and the load history's
  // length stay as they were). `policy` must outlive the controller or the next Reconfigure.
  void Reconfigure(ControllerOptions options, policy::Policy& policy);

  // Why each node is in its state: the last action or observation that concerned it.
  const std::vector<std::string>& why() const { return why_; }

  const std::vector<NodeRuntime>& nodes() const { return runtime_; }
  const std::vector<core::NodeSpec>& specs() const { return specs_; }
  const TickSummary& last_tick() const { return summary_; }
  const ControllerCounters& counters() const { return counters_; }
  const core::LoadHistory& history() const { return history_; }

 private:
  bool Observe(std::vector<std::string>& notes);
  void Reconcile(core::Seconds now, std::vector<std::string>& actions);
  void SetState(NodeRuntime& node, core::NodeState state, core::Seconds now,
                core::Seconds deadline = std::numeric_limits<double>::infinity());
  void BringIntoRotation(core::NodeId id, core::Seconds now, std::vector<std::string>& actions);
  void Drain(core::NodeId id, core::Seconds now, std::vector<std::string>& actions);
  void PowerOff(NodeRuntime& node, core::Seconds now, std::vector<std::string>& actions);
  // Records an action (or an observation) that concerns one node, as the node's "why".
  void Act(core::NodeId id, std::string text, std::vector<std::string>& actions);
  bool SetAdmin(const NodeRuntime& node, lb::AdminState state, std::vector<std::string>& actions);
  int Count(bool (*pred)(core::NodeState)) const;

  std::vector<core::NodeSpec> specs_;
  ControllerOptions options_;
  lb::LoadBalancer& lb_;
  power::PowerDriver& power_;
  policy::Policy* policy_;
  DecisionSink* sink_;

  std::vector<NodeRuntime> runtime_;
  std::vector<power::PowerStatus> adopted_power_;
  std::vector<std::string> why_;
  std::vector<std::string> pending_actions_;  // taken by Restore, recorded by the next tick
  core::LoadHistory history_;
  lb::BackendStats stats_;
  std::vector<power::PowerCompletion> completions_;
  bool have_poll_ = false;
  bool sampled_ = false;  // the last Observe added a load sample
  core::Seconds last_poll_at_ = 0;
  std::uint64_t last_requests_total_ = 0;
  core::Seconds last_up_at_ = -std::numeric_limits<double>::infinity();
  core::Seconds last_any_at_ = -std::numeric_limits<double>::infinity();
  std::string last_held_note_;
  TickSummary summary_;
  ControllerCounters counters_;
  double mean_capacity_rps_ = 0;
  double mean_boot_s_ = 0;
};

}  // namespace ebb::control
