#include "daemon/live_config.h"

#include <arpa/inet.h>

#include <charconv>
#include <filesystem>
#include <set>
#include <span>

#include <fmt/format.h>

#include "config/config_file.h"
#include "config/toml_section.h"
#include "policy/policy_factory.h"
#include "power/command_template.h"

namespace ebb::daemon {

using config::TomlSection;

core::Status ParseListenAddress(std::string_view key, std::string_view text, std::string& host,
                                int& port) {
  const std::size_t colon = text.rfind(':');
  int parsed = -1;
  if (colon != std::string_view::npos && colon > 0) {
    const std::string_view digits = text.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), parsed);
    if (ec != std::errc() || end != digits.data() + digits.size()) parsed = -1;
  }
  if (parsed < 0 || parsed > 65535) {
    return core::InvalidArgumentError(
        fmt::format("{}: expected \"host:port\" with a port in [0, 65535], got \"{}\"", key, text));
  }
  host = std::string(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in6_addr ignored{};
  if (::inet_pton(AF_INET, host.c_str(), &ignored) != 1 &&
      ::inet_pton(AF_INET6, host.c_str(), &ignored) != 1) {
    return core::InvalidArgumentError(fmt::format(
        "{}: expected an IP address and a port (\"127.0.0.1:9180\", \"[::1]:9180\"), got \"{}\"",
        key, text));
  }
  port = parsed;
  return core::Status::Ok();
}

namespace {

constexpr std::string_view kSimulatorOnly =
    "describes the simulator's model and has no meaning in a live configuration (the nodes are "
    "the [[node]] tables; their capacity is cluster.capacity_rps)";

void ReadHaproxy(TomlSection& h, LiveConfig& c, std::vector<std::string>* errors) {
  std::string socket;
  const bool has_socket = h.String("socket", socket);
  std::vector<std::string> sockets;
  const bool has_sockets = h.StringArray("sockets", sockets);
  if (has_socket && has_sockets) {
    errors->push_back(fmt::format("{}: haproxy: give socket or sockets, not both",
                                  config::Where(h.table()->source())));
  } else if (has_socket) {
    c.haproxy_sockets = {socket};
  } else if (has_sockets) {
    if (sockets.empty()) {
      errors->push_back(fmt::format("{}: haproxy.sockets: expected at least one address",
                                    config::Where(h.Get("sockets")->source())));
    }
    c.haproxy_sockets = sockets;
  }
  h.String("backend", c.backend);
  h.Number("connect_timeout_s", c.connect_timeout_s, 0, true, 600);
  h.Number("read_timeout_s", c.read_timeout_s, 0, true, 600);
  h.Int("check_interval_ms", c.server_lines.check_interval_ms, 1);
  h.Int("fall", c.server_lines.fall, 1);
  h.Int("rise", c.server_lines.rise, 1);
  h.Int("maxconn", c.server_lines.maxconn, 1);
  h.Int("slowstart_s", c.server_lines.slowstart_s, 0);
  h.String("health_check_path", c.health_check_path);
  h.RejectUnknown();
}

void ReadPower(TomlSection& p, const std::string& path, LiveConfig& c,
               std::vector<std::string>* errors) {
  p.String("driver", c.power.driver);
  // A template is an argv array, or one string split into argv (never run by a shell).
  for (auto [key, out] : {std::pair<std::string_view, std::vector<std::string>*>{"on", &c.power.on},
                          {"off", &c.power.off},
                          {"status", &c.power.status}}) {
    const toml::node* node = p.table() ? p.table()->get(key) : nullptr;
    if (node != nullptr && node->is_string()) {
      p.Get(key);
      core::Result<std::vector<std::string>> argv = power::ParseTemplateSetting(
          fmt::format("power.{}", key), *node->value_exact<std::string>());
      if (argv.ok()) {
        *out = *argv;
      } else {
        errors->push_back(
            fmt::format("{}: {}", config::Where(node->source()), argv.status().message()));
      }
    } else if (p.StringArray(key, *out) && !out->empty()) {
      // Placeholders are checked here, where the key's line is known.
      core::Result<power::CommandTemplate> parsed =
          power::CommandTemplate::Parse(fmt::format("power.{}", key), *out);
      if (!parsed.ok()) {
        errors->push_back(
            fmt::format("{}: {}", config::Where(node->source()), parsed.status().message()));
      }
    }
  }
  p.Number("timeout_s", c.power.timeout_s, 0, true);
  p.Number("stop_timeout_s", c.power.stop_timeout_s, 0, true);
  p.String("wol_address", c.power.wol_address);
  p.Int("wol_port", c.power.wol_port, 1, 65535);
  if (p.String("run_dir", c.power.run_dir) && !c.power.run_dir.empty()) {
    c.power.run_dir = config::ResolvePath(*p.Get("run_dir"), c.power.run_dir, path);
  }
  p.RejectUnknown();
}

void ReadNodes(const toml::node* node_array, const std::string& path, LiveConfig& c,
               std::vector<std::string>& node_where, std::vector<std::string>* errors) {
  if (node_array == nullptr) {
    errors->push_back(
        fmt::format("{}: no [[node]] tables: name every backend server ebb manages", path));
    return;
  }
  const toml::array* array = node_array->as_array();
  if (array == nullptr) {
    errors->push_back(
        fmt::format("{}: node: expected [[node]] tables", config::Where(node_array->source())));
    return;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const toml::node& element = *array->get(i);
    if (!element.is_table()) {
      errors->push_back(
          fmt::format("{}: node[{}]: expected a table", config::Where(element.source()), i));
      continue;
    }
    TomlSection n(element.as_table(), fmt::format("node[{}]", i), errors);
    node_where.push_back(config::Where(element.source()));
    core::NodeSpec spec{.name = "",
                        .host = "127.0.0.1",
                        .capacity_rps = c.cluster.capacity_rps,
                        .boot_s = c.cluster.boot_s,
                        .shutdown_s = c.cluster.shutdown_s};
    if (!n.String("name", spec.name) || spec.name.empty()) {
      errors->push_back(fmt::format("{}: node[{}].name: every node needs the HAProxy server name",
                                    config::Where(element.source()), i));
    } else if (!names.insert(spec.name).second) {
      errors->push_back(fmt::format("{}: node[{}].name: \"{}\" is named twice",
                                    config::Where(element.source()), i, spec.name));
    }
    n.String("host", spec.host);
    n.Int("port", spec.port, 0, 65535);
    n.String("mac", spec.mac);
    n.String("bmc", spec.bmc);
    n.Number("capacity_rps", spec.capacity_rps, 0, true);
    n.Number("boot_s", spec.boot_s, 0);
    n.Number("shutdown_s", spec.shutdown_s, 0);
    n.RejectUnknown();
    c.nodes.push_back(std::move(spec));
  }
  for (const core::NodeSpec& spec : c.nodes) {
    if (spec.capacity_rps <= 0) {
      errors->push_back(fmt::format(
          "{}: cluster.capacity_rps: give the requests/s a node serves within the SLA (or "
          "capacity_rps on node {})",
          path, spec.name));
      break;
    }
  }
}

}  // namespace

core::Result<LiveConfig> LoadLiveConfig(const std::string& path,
                                        const std::vector<std::string>& overrides) {
  core::Result<toml::table> read = config::ReadConfigFile(path, overrides);
  if (!read.ok()) return read.status();
  const toml::table& root = *read;

  LiveConfig c;
  c.source = std::filesystem::absolute(path).lexically_normal().string();
  std::vector<std::string> errors;
  TomlSection top(&root, "", &errors);

  TomlSection cluster = top.Sub("cluster");
  config::ReadClusterModel(cluster, c.cluster, &errors);
  for (std::string_view key : {"nodes", "maxconn", "service_time", "name_prefix"}) {
    cluster.Reject(key, kSimulatorOnly);
  }
  cluster.RejectUnknown();
  top.Reject("workload", "is the simulator's workload: `ebb run` serves the real traffic");
  top.Reject("sim", "holds the simulator's settings and has no meaning in a live configuration");

  TomlSection balancer = top.Sub("balancer");
  config::ReadBalancer(balancer, c.balancer);
  balancer.RejectUnknown();

  TomlSection haproxy = top.Sub("haproxy");
  ReadHaproxy(haproxy, c, &errors);
  if (c.haproxy_sockets.empty() && errors.empty()) {
    errors.push_back(
        fmt::format("{}: haproxy.socket: give the Runtime API address of HAProxy "
                    "(\"/run/haproxy/admin.sock\" or \"host:port\")",
                    path));
  }

  TomlSection power_section = top.Sub("power");
  ReadPower(power_section, path, c, &errors);

  TomlSection state = top.Sub("state");
  std::string state_path = "ebb.db";
  bool state_given = state.String("path", state_path);
  if (state_given && state_path.empty()) {
    // An empty path is no file (and std::filesystem::absolute throws on it).
    state.Error(*state.Get("path"), "path", "a file path");
    state_given = false;
    state_path = "ebb.db";
  }
  c.state_path = state_given ? config::ResolvePath(*state.Get("path"), state_path, path)
                             : (std::filesystem::path(c.source).parent_path() / state_path)
                                   .lexically_normal()
                                   .string();
  state.RejectUnknown();
  if (c.power.run_dir.empty()) {
    c.power.run_dir = c.state_path + ".run";
  }

  TomlSection http = top.Sub("http");
  http.String("listen", c.http_listen);
  http.RejectUnknown();
  {
    std::string host;
    int port = 0;
    core::Status listen = ParseListenAddress("http.listen", c.http_listen, host, port);
    // Only a given value can be wrong (the default is valid): name its line.
    const toml::node* given = http.Get("listen");
    if (!listen.ok()) {
      errors.push_back(
          fmt::format("{}: {}", given ? config::Where(given->source()) : path, listen.message()));
    }
  }

  TomlSection cost = top.Sub("cost");
  config::ReadCost(cost, c.cost_c1, c.cost_c2);
  cost.RejectUnknown();

  TomlSection sla = top.Sub("sla");
  config::ReadSla(sla, c.sla_s, c.sla_target);
  sla.RejectUnknown();

  // Nodes before [policy]: max_nodes defaults to their number.
  std::vector<std::string> node_where;
  ReadNodes(top.Get("node"), path, c, node_where, &errors);
  const int total = static_cast<int>(c.nodes.size());
  TomlSection pol = top.Sub("policy");
  config::ReadPolicy(pol, std::max(total, 1), path, c.policy, &errors);
  pol.RejectUnknown();
  top.RejectUnknown();

  // What the sizing policies plan with: HAProxy's per-server maxconn is a node's slots.
  policy::ServiceModel& model = c.policy.controller.model;
  model.slots_per_node = c.server_lines.maxconn;
  model.sla_s = c.sla_s;
  model.sla_target = c.sla_target;
  model.shutdown_s = c.cluster.shutdown_s;
  model.power = c.cluster.power;
  model.cost_c1 = c.cost_c1;
  model.cost_c2 = c.cost_c2;
  c.policy.controller.balance = c.balancer.algorithm;
  // The policies that size from a queueing model need the real mean service time: live, maxconn
  // is a cap on concurrency, and maxconn / capacity_rps would be a guess.
  const std::string& name = c.policy.policy.name;
  if (policy::SizesFromAQueueingModel(name) && model.service_time_s == 0) {
    errors.push_back(fmt::format(
        "{}: policy.service_time_s: policy '{}' sizes from a queueing model and needs the mean "
        "time a node takes per request (for example from `ebb logstat`'s service time)",
        path, name));
  }

  if (errors.empty()) {
    const toml::node* min_nodes = pol.table() ? pol.table()->get("min_nodes") : nullptr;
    config::CheckPolicy(c.policy, total, "the number of [[node]] tables",
                        min_nodes ? config::Where(min_nodes->source()) : path, &errors);
  }
  if (errors.empty()) {
    const std::string power_where =
        power_section.table() ? config::Where(power_section.table()->source()) : path;
    const core::Status power_ok = power::ValidatePowerDriverOptions(c.power);
    if (!power_ok.ok()) {
      errors.push_back(fmt::format("{}: {}", power_where, power_ok.message()));
    } else {
      // Each node against the templates: the error points at the node's table.
      for (std::size_t i = 0; i < c.nodes.size(); ++i) {
        const core::Status node_ok =
            power::ValidateForNodes(c.power, std::span<const core::NodeSpec>(&c.nodes[i], 1));
        if (!node_ok.ok()) {
          errors.push_back(fmt::format("{}: {}", node_where[i], node_ok.message()));
        }
      }
    }
  }
  EBB_RETURN_IF_ERROR(config::ErrorsToStatus(errors));
  return c;
}

}  // namespace ebb::daemon
