// `ebb demo`: the whole system live on loopback, as a new user first sees it. It starts a real
// haproxy in front of N `ebb testserver` nodes that the daemon (`ebb run`, a child process)
// switches with the process driver, replays a real trace excerpt through haproxy with
// `ebb replay` (compressed in time to a few minutes), shows on the terminal which nodes are up
// and why, and ends with a summary — requests, failed requests (by replay and by `ebb logstat`
// on haproxy's own log), SLA share, p95/p99, boots, node downtime, energy against always-on —
// beside the simulator's prediction (`ebb simulate`) for the same trace and configuration.
// Everything it starts it stops, also on Ctrl-C; its work folder is removed unless kept.
#pragma once

#include <cstdio>
#include <string>

namespace ebb::demo {

struct DemoOptions {
  std::string ebb_binary;  // the `ebb` to run children with (default: this executable)
  std::string trace;       // per-second trace (default: the bundled NASA day)
  double trace_start = 0;  // Unix seconds into the trace (0: its first second)
  double trace_seconds = 86400;
  double minutes = 3;  // replay length after compression
  // Request multiplier; 0: chosen so that the busiest 5 s of the replay need 60 % of the nodes.
  double scale = 0;
  int nodes = 6;
  int workers = 4;  // per node: requests served at once (haproxy maxconn)
  double service_mean_s = 0.05;
  std::string policy = "regression-mean";
  double boot_delay_s = 0;  // extra time a node takes to boot (testserver --boot-delay)
  std::string keep_dir;     // keep the work folder here (empty: a temp folder, removed)
  bool json = false;        // print the summary as JSON (for scripts and tests)
  bool live = true;         // show the live view
  FILE* out = stdout;
};

// Exit code: 0 done, 1 a step failed (reported), 2 bad options, 130 interrupted.
int RunDemo(const DemoOptions& options);

}  // namespace ebb::demo
