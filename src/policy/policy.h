// Policy: decides how many nodes should serve. A policy is a pure decision: it reads only its
// input (no clock, no I/O) and is deterministic. It may keep state between calls (a counter of
// consecutive underload cycles), which is why Decide is not const; the controller owns the
// policy and calls it once per tick on the loop's thread. It never acts: the controller's guard
// bounds the decision and the controller carries it out.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/load_history.h"
#include "core/power_model.h"
#include "core/time.h"

namespace ebb::policy {

// How the cluster serves and what it must achieve, for the policies that size from a model of it
// (a queueing model, a break-even timer) rather than from capacity shares alone.
struct ServiceModel {
  int slots_per_node = 1;     // requests a node serves at once (its maxconn)
  double service_time_s = 0;  // mean service time of a request; 0: slots / node capacity
  core::Seconds sla_s = 5;    // the SLA's response time
  double sla_target = 0.999;  // the share of requests to answer within sla_s
  core::Seconds shutdown_s = 0;
  core::PowerModel power;
  double cost_c1 = 1;  // Mitrani's cost: per request in the system, per second
  double cost_c2 = 1;  // per powered node, per second

  // service_time_s, or the one the node capacity implies when it is not given.
  double ServiceTime(double node_capacity_rps) const {
    if (service_time_s > 0) return service_time_s;
    return node_capacity_rps > 0 ? slots_per_node / node_capacity_rps : 0;
  }
  // The idle time after which powering a node off and on again costs less energy than keeping it
  // idle: the energy of a shutdown and a boot above what the node draws off, over idle - off.
  core::Seconds BreakEven(core::Seconds boot_s) const;
};

struct PolicyInput {
  core::Seconds now = 0;
  core::Seconds interval_s = 1;      // time between two decisions
  int serving_nodes = 0;             // in rotation now (ONLINE or BUSY)
  int booting_nodes = 0;             // powered on, not yet in rotation
  int total_nodes = 0;               // every node the controller manages
  double node_capacity_rps = 0;      // requests/s one node serves within the SLA
  core::Seconds boot_s = 0;          // time from power-on to serving
  const core::LoadHistory* history;  // arrival rate samples, newest last; never null
  int jobs_in_system = 0;            // requests being served or queued at the balancer now
  ServiceModel model;
};

struct Decision {
  int target_serving = 0;   // how many nodes should be in rotation
  double expected_rps = 0;  // the load the policy planned for (its forecast, or the current load)
  std::string reason;       // human-readable: the numbers that led to the target
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view Name() const = 0;
  virtual Decision Decide(const PolicyInput& input) = 0;
};

}  // namespace ebb::policy
