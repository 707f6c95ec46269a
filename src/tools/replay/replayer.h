// The replay engine: an HTTP/1.1 load generator on one thread.
//
// RunSchedule is open-loop (servload-like): each request leaves at its time in the SendSchedule
// whether or not earlier ones were answered. Connections are kept alive and pooled: a due request
// goes on an idle connection; with none idle and fewer than `connections` open it opens one;
// otherwise it waits in FIFO order for the next connection to free up, and the wait counts in its
// schedule lag (send time minus scheduled time). After the schedule ends, requests in flight get
// up to `timeout_s` to finish. RunMaxRate is closed-loop (wrk-like): `connections` connections
// each send the next request as soon as the previous one is answered, for `duration_s`.
//
// Both send only to `target` (GET target.path), are bounded by the schedule, `duration_s` and the
// timeouts, and stop early when `*stop` becomes true (SIGINT), still returning a report. Request
// failures are counted in the report, never returned; an error Status means the run could not
// take place (no epoll, an unresolvable host) or the trace broke (then the report is lost: the
// caller prints the error). Implemented on epoll with non-blocking sockets (epoll_replayer.cc).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>

#include "core/status.h"
#include "tools/replay/http_url.h"
#include "tools/replay/replay_report.h"
#include "tools/replay/send_schedule.h"

namespace ebb::replay {

struct ReplayProgress {
  double elapsed_s = 0;
  std::uint64_t scheduled = 0;
  std::uint64_t completed = 0;
  std::uint64_t errors = 0;
  std::uint64_t in_flight = 0;
  std::uint64_t queued = 0;
};

struct ReplayOptions {
  HttpUrl target;
  int connections = 64;   // upper bound on open connections
  double timeout_s = 10;  // connect timeout, and response timeout from the send
  double sla_s = 5;
  // Schedule: no request is scheduled at or after this replay time. Max-rate: the run length.
  double duration_s = std::numeric_limits<double>::infinity();
  // Before each send the loop sleeps until this long before the send time, then polls the
  // sockets without sleeping: precise send times for some CPU.
  double spin_s = 50e-6;
  const std::atomic<bool>* stop = nullptr;
  // Called about once a second from the loop's thread.
  std::function<void(const ReplayProgress&)> on_progress;
};

core::Result<ReplayReport> RunSchedule(const ReplayOptions& options, SendSchedule& schedule);
core::Result<ReplayReport> RunMaxRate(const ReplayOptions& options);

}  // namespace ebb::replay
