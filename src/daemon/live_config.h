// LiveConfig: what `ebb run` (and `ebb haproxy-config`) read from a configuration file. The
// simulator's [cluster] model, [balancer], [policy] and [sla] sections are read by the very same
// code (config/shared_sections.h), so a policy tried in `ebb simulate` runs unchanged here; the
// simulator's own model keys (cluster.nodes, maxconn, service_time, [workload], [sim]) are
// rejected with a message that says so. Live sections:
//   [haproxy]  socket = "/run/haproxy/admin.sock" | sockets = [...] ("host:port" too), backend,
//              connect_timeout_s, read_timeout_s; check_interval_ms, fall, rise, maxconn,
//              slowstart_s, health_check_path (for `ebb haproxy-config`)
//   [power]    driver = "command" | "wol" | "process", on/off/status argv templates, timeout_s,
//              stop_timeout_s, wol_address, wol_port, run_dir
//   [state]    path (SQLite; relative to the file)        [http] listen = "127.0.0.1:9180"
//   [cost]     c1, c2 (C = c1 * jobs in the system + c2 * powered nodes)
//   [[node]]   name (the HAProxy server name), host, port, mac, bmc; capacity_rps, boot_s,
//              shutdown_s override [cluster]
// Every error names the file, the line and the key; nothing is half-loaded.
#pragma once

#include <string>
#include <vector>

#include "config/shared_sections.h"
#include "core/node.h"
#include "core/status.h"
#include "lb/haproxy/haproxy_config.h"
#include "power/power_driver_factory.h"

namespace ebb::daemon {

struct LiveConfig {
  std::string source;  // the file's path

  config::ClusterModel cluster;
  config::BalancerOptions balancer;
  config::PolicySection policy;
  core::Seconds sla_s = 5;
  double sla_target = 0.999;

  std::vector<std::string> haproxy_sockets;
  std::string backend = "web";
  core::Seconds connect_timeout_s = 1;
  core::Seconds read_timeout_s = 2;
  lb::haproxy::ServerLineOptions server_lines;
  std::string health_check_path = "/health";

  power::PowerDriverOptions power;
  std::string state_path;  // absolute
  std::string http_listen = "127.0.0.1:9180";
  double cost_c1 = 1;
  double cost_c2 = 1;

  std::vector<core::NodeSpec> nodes;
};

// `overrides` are `--set key.path=value`, as for `ebb simulate`.
core::Result<LiveConfig> LoadLiveConfig(const std::string& path,
                                        const std::vector<std::string>& overrides = {});

// "127.0.0.1:9180" -> host and port; InvalidArgument naming `key` otherwise.
core::Status ParseListenAddress(std::string_view key, std::string_view text, std::string& host,
                                int& port);

}  // namespace ebb::daemon
