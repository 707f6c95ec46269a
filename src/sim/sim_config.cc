#include "sim/sim_config.h"

#include <cmath>
#include <ctime>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config_file.h"
#include "config/shared_sections.h"
#include "config/toml_section.h"

namespace ebb::sim {

using config::TomlSection;
using core::Result;

std::vector<core::NodeSpec> SimConfig::NodeSpecs() const {
  std::vector<core::NodeSpec> specs(static_cast<std::size_t>(nodes));
  for (int i = 0; i < nodes; ++i) {
    specs[i] = core::NodeSpec{.name = fmt::format("{}{}", name_prefix, i + 1),
                              .host = "",
                              .capacity_rps = capacity_rps,
                              .boot_s = boot_s,
                              .shutdown_s = shutdown_s};
  }
  return specs;
}

Result<SimConfig> LoadSimConfig(const std::string& path,
                                const std::vector<std::string>& overrides) {
  Result<toml::table> read = config::ReadConfigFile(path, overrides);
  if (!read.ok()) return read.status();
  toml::table& root = *read;

  SimConfig c;
  c.source = path;
  std::vector<std::string> errors;

  TomlSection top(&root, "", &errors);
  auto section = [&](std::string_view name) {
    const toml::node* node = top.Get(name);
    if (node != nullptr && !node->is_table()) {
      errors.push_back(
          fmt::format("{}: {}: expected a table", config::Where(node->source()), name));
      node = nullptr;
    }
    return TomlSection(node == nullptr ? nullptr : node->as_table(), std::string(name), &errors);
  };

  TomlSection cluster = section("cluster");
  cluster.Int("nodes", c.nodes, 1, 1'000'000);
  cluster.Int("maxconn", c.maxconn, 1, 1'000'000);
  cluster.Int("initial_nodes", c.initial_nodes, 0, 1'000'000);
  cluster.String("name_prefix", c.name_prefix);
  if (const toml::table* st = cluster.Table("service_time")) {
    TomlSection s(st, "cluster.service_time", &errors);
    s.Enum("dist", c.service_time.kind, workload::ParseServiceTimeKind);
    s.Number("mean_s", c.service_time.mean_s, 0, true);
    s.Number("scv", c.service_time.scv, 0, true);
    s.RejectUnknown();
  }
  config::ClusterModel model;
  config::ReadClusterModel(cluster, model, &errors);
  c.boot_s = model.boot_s;
  c.shutdown_s = model.shutdown_s;
  c.capacity_rps = model.capacity_rps;
  c.power = model.power;
  cluster.RejectUnknown();
  if (c.initial_nodes > c.nodes) {
    errors.push_back(fmt::format("{}: cluster.initial_nodes ({}) exceeds cluster.nodes ({})", path,
                                 c.initial_nodes, c.nodes));
  }
  if (c.capacity_rps == 0) c.capacity_rps = c.maxconn / c.service_time.mean_s;
  if (!std::isfinite(c.capacity_rps)) {  // a tiny mean_s overflows the quotient
    errors.push_back(fmt::format(
        "{}: cluster.capacity_rps: maxconn / service_time.mean_s is not finite; give capacity_rps",
        path));
  }

  TomlSection balancer = section("balancer");
  config::BalancerOptions balance;
  config::ReadBalancer(balancer, balance);
  c.algorithm = balance.algorithm;
  c.queue_timeout_s = balance.queue_timeout_s;
  balancer.RejectUnknown();

  TomlSection workload_section = section("workload");
  if (workload_section.String("trace", c.workload.trace) && !c.workload.trace.empty()) {
    // A trace named in the file is relative to the file; one from --set to the working folder.
    c.workload.trace = config::ResolvePath(*workload_section.Get("trace"), c.workload.trace, path);
  }
  workload_section.Enum("format", c.workload.format, workload::ParseTraceFormat);
  workload_section.Number("rate_rps", c.workload.rate_rps, 0);
  workload_section.Enum("arrivals", c.workload.arrivals, workload::ParseArrivalMode);
  workload_section.Number("scale", c.workload.scale, 0);
  workload_section.Number("speedup", c.workload.speedup, 0, true);
  if (const toml::node* start = workload_section.Get("start")) {
    if (start->is_integer() || start->is_floating_point()) {
      c.workload.start = start->value<double>();
    } else if (auto t = config::ParseUtc(*start)) {
      c.workload.start = *t;
    } else {
      workload_section.Error(*start, "start",
                             "Unix seconds or a UTC date-time \"YYYY-MM-DD HH:MM:SS\"");
    }
  }
  workload_section.OptionalNumber("duration_s", c.workload.duration_s, 0, true);
  workload_section.RejectUnknown();
  if (c.workload.trace.empty() && errors.empty() &&
      (c.workload.rate_rps <= 0 || !c.workload.duration_s)) {
    errors.push_back(fmt::format(
        "{}: workload: give workload.trace, or workload.rate_rps and workload.duration_s", path));
  }

  TomlSection pol = section("policy");
  config::PolicySection policy_section;
  config::ReadPolicy(pol, c.nodes, path, policy_section, &errors);
  c.policy = policy_section.policy;
  c.controller = policy_section.controller;
  pol.RejectUnknown();

  TomlSection sla = section("sla");
  config::ReadSla(sla, c.sla_s, c.sla_target);
  sla.RejectUnknown();

  TomlSection cost = section("cost");
  config::ReadCost(cost, c.cost_c1, c.cost_c2);
  cost.RejectUnknown();

  // What the sizing policies plan with: the simulated nodes' slots and service time.
  policy::ServiceModel& service = c.controller.model;
  service.slots_per_node = c.maxconn;
  if (service.service_time_s == 0) service.service_time_s = c.service_time.mean_s;
  service.sla_s = c.sla_s;
  service.sla_target = c.sla_target;
  service.shutdown_s = c.shutdown_s;
  service.power = c.power;
  service.cost_c1 = c.cost_c1;
  service.cost_c2 = c.cost_c2;
  c.controller.balance = c.algorithm;

  TomlSection sim = section("sim");
  sim.U64("seed", c.seed);
  sim.RejectUnknown();

  top.RejectUnknown();

  if (errors.empty()) {
    config::CheckPolicy(policy_section, c.nodes, "cluster.nodes", path, &errors);
  }
  if (errors.empty()) {
    // The configuration as run, to keep beside its results: the trace path made absolute so
    // that the copy works from wherever it is read.
    if (!c.workload.trace.empty()) {
      root.get_as<toml::table>("workload")->insert_or_assign("trace", c.workload.trace);
    }
    std::ostringstream text;
    text << root;
    c.effective = text.str() + "\n";
  }
  EBB_RETURN_IF_ERROR(config::ErrorsToStatus(errors));
  return c;
}

}  // namespace ebb::sim
