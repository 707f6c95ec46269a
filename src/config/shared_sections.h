// The configuration sections that the simulator and the daemon share, read the same way in both
// so that a policy tried in `ebb simulate` runs unchanged under `ebb run`:
//   [cluster]   boot_s, shutdown_s, capacity_rps, power = {...} (the node model both worlds use)
//   [balancer]  algorithm, queue_timeout_s
//   [policy]    name and its parameters, min/max nodes, cooldowns, transitions per tick, drain
//   [sla]       response_s
// Each reader marks its keys as known in the section it is given; the caller rejects the rest.
#pragma once

#include <string>
#include <vector>

#include "config/toml_section.h"
#include "control/controller.h"
#include "core/power_model.h"
#include "core/time.h"
#include "lb/load_balancer.h"
#include "policy/policy_factory.h"

namespace ebb::config {

struct ClusterModel {
  core::Seconds boot_s = 60;
  core::Seconds shutdown_s = 10;
  double capacity_rps = 0;  // 0: not given (the simulator derives it from its service model)
  core::PowerModel power;
};

struct BalancerOptions {
  lb::Algorithm algorithm = lb::Algorithm::kLeastConn;
  core::Seconds queue_timeout_s = 30;
};

struct PolicySection {
  policy::PolicyOptions policy;
  control::ControllerOptions controller;
};

// [cluster] boot_s, shutdown_s, capacity_rps and the power table.
void ReadClusterModel(TomlSection& cluster, ClusterModel& out, std::vector<std::string>* errors);
void ReadBalancer(TomlSection& balancer, BalancerOptions& out);
// [policy]; `total_nodes` is max_nodes' default; errors name `path`.
void ReadPolicy(TomlSection& section, int total_nodes, const std::string& path, PolicySection& out,
                std::vector<std::string>* errors);
// After every section was read without error: the policy can be built and min_nodes fits.
// `where` is the file, or the file:line of policy.min_nodes.
void CheckPolicy(const PolicySection& section, int total_nodes, std::string_view nodes_key,
                 const std::string& where, std::vector<std::string>* errors);
// [sla] response_s, target (the share of requests to answer within response_s).
void ReadSla(TomlSection& sla, core::Seconds& response_s, double& target);
// [cost] c1, c2: C = c1 * jobs in the system + c2 * powered nodes.
void ReadCost(TomlSection& cost, double& c1, double& c2);

}  // namespace ebb::config
