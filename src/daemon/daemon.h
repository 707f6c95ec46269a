// Daemon: `ebb run`. The same Controller as the simulator's, driven by a RealtimeEventLoop,
// polling a real HAProxy (lb/haproxy) and switching nodes through a real power driver (power/).
// Start() adopts the cluster as it is — HAProxy's view, the driver's status of each node, and
// what a previous run left in the state store (a drain in progress completes) — and fails with
// a clear error on bad input (config, a node HAProxy does not have, an unreachable socket, a
// port in use) before it changes anything. Each tick: Controller::Tick, then the changed nodes,
// their transitions and the decision go to SQLite in one transaction, the decision to the log
// with its reason, and a snapshot to /status and /metrics (served on another thread from
// copies, so the controller stays single-threaded). SIGHUP reloads the configuration (keeping
// the old one when the new one is invalid); SIGTERM/SIGINT stop it, leaving every running node
// in rotation (ready) and every powered-off node in maint.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/realtime_event_loop.h"
#include "core/status.h"

namespace ebb::daemon {

struct DaemonOptions {
  bool dry_run = false;
  std::vector<std::string> overrides;  // --set key=value
};

class Daemon {
 public:
  static core::Result<std::unique_ptr<Daemon>> Start(const std::string& config_path,
                                                     DaemonOptions options,
                                                     core::RealtimeEventLoop& loop);
  virtual ~Daemon() = default;
  // Runs until SIGTERM or SIGINT, then leaves the nodes in a defined state.
  virtual core::Status Run() = 0;
};

}  // namespace ebb::daemon
