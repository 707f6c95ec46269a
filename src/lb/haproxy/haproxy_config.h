// The haproxy.cfg text for ebb's backend, rendered from the node inventory: a `backend` block
// with its balance algorithm, an HTTP health check and one `server` line per node. No server is
// rendered `disabled`: ebb sets admin states at run time over the Runtime API, and a reload
// must not undo them, so state belongs there (with `load-server-state-from-file` if wanted) and
// not in the file. Pure functions; the caller writes the file.
#pragma once

#include <string>
#include <vector>

#include "core/node.h"
#include "core/status.h"

namespace ebb::lb::haproxy {

struct ServerLineOptions {
  int check_interval_ms = 2000;  // `inter`
  int fall = 3;                  // failed checks before DOWN
  int rise = 2;                  // passed checks before UP
  int maxconn = 32;              // concurrent requests per server; more wait in the queue
  int slowstart_s = 10;          // weight ramp after a server comes UP (0: none)
};

struct BackendConfigOptions {
  std::string name = "web";
  std::string balance = "leastconn";  // roundrobin | leastconn | first | ...
  std::string health_check_path = "/health";
  ServerLineOptions servers;
};

// "  server web1 10.0.0.11:8080 check inter 2000ms fall 3 rise 2 maxconn 32 slowstart 10s\n"
// per node, in order. InvalidArgument for a node without a host or a port, or a name or host
// with a space.
core::Result<std::string> RenderServerLines(const std::vector<core::NodeSpec>& nodes,
                                            const ServerLineOptions& options);

// The whole `backend <name>` block: balance, option httpchk GET <path>, http-check expect
// status 200, and the server lines.
core::Result<std::string> RenderBackend(const std::vector<core::NodeSpec>& nodes,
                                        const BackendConfigOptions& options);

}  // namespace ebb::lb::haproxy
