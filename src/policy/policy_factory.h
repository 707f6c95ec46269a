// Builds a policy by name from its options. Unknown names are errors, listed with the known ones.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "policy/policy.h"

namespace ebb::policy {

// The policy settings of the [policy] table. Thresholds are shares of the serving nodes'
// capacity (serving_nodes * node_capacity_rps).
struct PolicyOptions {
  std::string name = "regression";
  double overload = 0.6;          // above this share, more nodes are needed
  double underload = 0.2;         // "threshold": below this share a node may be signed off
  int underload_cycles = 30;      // consecutive cycles under the threshold before signing off
  core::Seconds history_s = 120;  // "regression*": window of the linear regression
  core::Seconds mean_s = 15;      // "regression-mean": window of the mean current load
  core::Seconds epsilon_s = 5;    // "regression*": margin added to the boot time
  // The threshold policies, once their underload test fires: "all" signs off as many nodes as
  // keep the load within the overload threshold; "one" signs off one node, as Cherub did.
  std::string sign_off = "all";
  // "sla-sizing":
  double headroom_quantile = 0.9999;  // quantile of the load's growth within a boot time
  core::Seconds memory_s = 86400;     // half-life of the growth it remembers
  core::Seconds halving_s = 600;      // the cluster shrinks at most by half in this time
  core::Seconds hold_s = -1;          // keep what was needed this long; -1: break-even time
  // "delayed-off": a node not needed for this long is switched off; -1: break-even time.
  core::Seconds timer_s = -1;
  // "reserves": re-plan (m, D, U) when the rate moved by this share, and at least this often.
  double replan_share = 0.05;
  core::Seconds replan_s = 300;
  // "sla-sizing", "reserves": how the load a boot time ahead is forecast ("trend" over history_s,
  // or "holt-winters" with a daily season); a forecast that was off lately is not used.
  std::string forecast = "trend";
};

// The names MakePolicy accepts, in a stable order.
std::vector<std::string_view> PolicyNames();

// Whether the policy sizes from a queueing model (M/M/c, the reserves chain), which needs the
// mean service time per request (ServiceModel::service_time_s) rather than a capacity guess.
bool SizesFromAQueueingModel(std::string_view name);

core::Result<std::unique_ptr<Policy>> MakePolicy(const PolicyOptions& options);

}  // namespace ebb::policy
