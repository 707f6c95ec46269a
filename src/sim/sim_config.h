// SimConfig: everything `ebb simulate` needs, parsed once from a TOML file (plus --set overrides)
// and validated up front. Every error names the file (or the --set flag), the line and the key:
//   sim.toml:7: cluster.nodes: expected an integer >= 1, got "ten"
//   sim.toml:3: unknown key "cluster.nodez"
// Relative trace paths are resolved against the config file's folder.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "control/controller.h"
#include "core/node.h"
#include "core/status.h"
#include "policy/policy_factory.h"
#include "sim/sim_cluster.h"
#include "workload/arrivals.h"
#include "workload/service_time.h"

namespace ebb::sim {

struct SimConfig {
  std::string source;     // the config file's path
  std::string effective;  // the file with every --set applied, as TOML (for the report folder)

  // [cluster]
  int nodes = 10;
  int maxconn = 1;
  int initial_nodes = -1;  // powered on at the start (-1: all); the others start off
  core::Seconds boot_s = 60;
  core::Seconds shutdown_s = 10;
  double capacity_rps = 0;  // default: maxconn / service_time.mean_s
  std::string name_prefix = "web";
  workload::ServiceTimeOptions service_time;
  core::PowerModel power;

  // [balancer]
  lb::Algorithm algorithm = lb::Algorithm::kLeastConn;
  core::Seconds queue_timeout_s = 30;

  // [workload]
  workload::WorkloadOptions workload;

  // [policy]
  policy::PolicyOptions policy;
  control::ControllerOptions controller;

  // [sla]
  core::Seconds sla_s = 5;
  double sla_target = 0.999;

  // [cost]: C = c1 * jobs in the system + c2 * powered nodes, as in Mitrani's model
  double cost_c1 = 1;
  double cost_c2 = 1;

  // [sim]
  std::uint64_t seed = 1;

  std::vector<core::NodeSpec> NodeSpecs() const;
};

// Parses `path`, applies `overrides` ("key.path=value", value in TOML syntax or a bare string),
// and validates. Nothing is returned half: any error fails the whole load.
core::Result<SimConfig> LoadSimConfig(const std::string& path,
                                      const std::vector<std::string>& overrides = {});

}  // namespace ebb::sim
