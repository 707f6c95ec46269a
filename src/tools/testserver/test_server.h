// TestServer: a stand-in for a web application node, behind `ebb testserver`. An HTTP/1.1 server
// (keep-alive; pipelined requests answered in order; Content-Length responses) whose application
// requests take a service time drawn from a distribution, served by K workers with a bounded FIFO
// queue: a node with a real capacity of K / mean requests per second. A request that finds the
// queue full gets 503 at once; GET /health gets 200 at once (never queued) for balancer checks.
//
// Threads: one event-loop thread (the caller of Run) owns every connection, the queue and the
// counters. Mode kSleep serves a request with a timer on that loop. Mode kCpu hands it to one of
// K worker threads that busy-spin for the service time, then posts the completion back to the
// loop. Shutdown (or a stop signal) drains: it stops accepting, closes idle connections, lets the
// requests in service and in the queue finish, answers them with "Connection: close", and Run
// returns; a second signal or the grace period ending cuts the drain short.
//
// Errors: Create fails with InvalidArgument (bad address) or Unavailable (bind/listen). Run
// returns DeadlineExceeded when requests were abandoned. Socket faults are counted and logged on
// stderr, never fatal; no exception leaves this module.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "tools/testserver/status_after.h"
#include "workload/service_time.h"

namespace ebb::testserver {

enum class WorkMode { kSleep, kCpu };

struct TestServerOptions {
  std::string bind = "127.0.0.1";  // an IPv4 or IPv6 literal; nothing else is bound
  std::uint16_t port = 0;          // 0: the kernel picks a free port (see TestServer::port)
  workload::ServiceTimeOptions service_time{.kind = workload::ServiceTimeKind::kExponential,
                                            .mean_s = 0.1};
  int workers = 4;
  std::size_t queue = 64;  // requests waiting for a worker; 0: no queue
  WorkMode mode = WorkMode::kSleep;
  std::uint64_t seed = 1;
  std::vector<StatusAfter> status_after;
  std::vector<int> stop_signals;  // these signals start the drain; the CLI passes SIGINT, SIGTERM
  double grace_s = 10;            // the longest a drain may take
  bool log_connections = false;   // one stderr line per socket fault
};

struct TestServerCounters {
  std::uint64_t connections = 0;
  std::uint64_t served = 0;        // application requests answered after their service time
  std::uint64_t rejected = 0;      // 503, queue full
  std::uint64_t health = 0;        // /health requests
  std::uint64_t scripted = 0;      // answered with a --status-after code
  std::uint64_t bad_requests = 0;  // malformed input, answered 4xx/5xx and closed
  std::uint64_t socket_errors = 0;
  std::uint64_t abandoned = 0;  // in service or queued when the grace period ended
  std::size_t max_queued = 0;
};

class TestServer {
 public:
  // Binds and listens; the port is known when this returns.
  static core::Result<std::unique_ptr<TestServer>> Create(const TestServerOptions& options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  std::uint16_t port() const;
  // "127.0.0.1:8080", "[::1]:8080"
  std::string endpoint() const;

  // Serves on the calling thread until a drain completes. Call once.
  core::Status Run();
  // Starts the drain; callable from any thread, before or during Run.
  void Shutdown();
  // Valid after Run returned.
  TestServerCounters counters() const;

  class Loop;

 private:
  explicit TestServer(std::unique_ptr<Loop> loop);
  std::unique_ptr<Loop> loop_;
};

}  // namespace ebb::testserver
