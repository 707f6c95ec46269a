#include "apps/cli/testserver_command.h"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "tools/testserver/service_time_spec.h"
#include "tools/testserver/status_after.h"
#include "tools/testserver/test_server.h"

namespace ebb::cli {
namespace {

struct TestserverArgs {
  int port = -1;
  std::string bind = "127.0.0.1";
  std::string service_time = "exponential:0.1";
  int workers = 4;
  int queue = 64;
  std::string mode = "sleep";
  std::uint64_t seed = 1;
  std::vector<std::string> status_after;
  double grace_s = 10;
  double boot_delay_s = 0;
};

int RunTestserver(const TestserverArgs& args) {
  const auto usage_error = [](const std::string& message) {
    fmt::print(stderr, "ebb testserver: {}\n", message);
    return 2;
  };
  testserver::TestServerOptions options{
      .bind = args.bind,
      .port = static_cast<std::uint16_t>(args.port),
      .workers = args.workers,
      .queue = static_cast<std::size_t>(args.queue),
      .mode = args.mode == "cpu" ? testserver::WorkMode::kCpu : testserver::WorkMode::kSleep,
      .seed = args.seed,
      .stop_signals = {SIGINT, SIGTERM},
      .grace_s = args.grace_s};
  core::Result<workload::ServiceTimeOptions> service_time =
      testserver::ParseServiceTimeSpec(args.service_time);
  if (!service_time.ok()) return usage_error(service_time.status().message());
  options.service_time = *service_time;
  for (const std::string& spec : args.status_after) {
    core::Result<testserver::StatusAfter> rule = testserver::ParseStatusAfter(spec);
    if (!rule.ok()) return usage_error(rule.status().message());
    options.status_after.push_back(*rule);
  }

  // A real node takes a while from power-on to serving; until then nothing listens (and a
  // SIGTERM ends the process at once, as it would a machine that never came up).
  if (args.boot_delay_s > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(args.boot_delay_s));
  }
  core::Result<std::unique_ptr<testserver::TestServer>> server =
      testserver::TestServer::Create(options);
  if (!server.ok()) {
    fmt::print(stderr, "ebb testserver: {}\n", server.status().message());
    return server.status().code() == core::StatusCode::kInvalidArgument ? 2 : 1;
  }
  // Tests and scripts wait for this line to learn the port (--port 0).
  fmt::print(stderr, "listening on {}\n", (*server)->endpoint());
  fmt::print(stderr,
             "ebb testserver: {} workers, queue {}, service time {} ({}), capacity {:.1f} req/s\n",
             options.workers, options.queue, testserver::ToSpec(options.service_time), args.mode,
             options.service_time.mean_s > 0 ? options.workers / options.service_time.mean_s : 0.0);
  std::fflush(stderr);
  const core::Status status = (*server)->Run();
  const testserver::TestServerCounters c = (*server)->counters();
  fmt::print(
      stderr,
      "ebb testserver: stopped: {} served, {} rejected (queue full), {} scripted, {} health, "
      "{} bad requests, {} connections, {} socket errors, {} abandoned\n",
      c.served, c.rejected, c.scripted, c.health, c.bad_requests, c.connections, c.socket_errors,
      c.abandoned);
  if (!status.ok()) {
    fmt::print(stderr, "ebb testserver: {}\n", status.message());
    return 1;
  }
  return 0;
}

}  // namespace

void AddTestserverCommand(CLI::App& app) {
  auto args = std::make_shared<TestserverArgs>();
  CLI::App* cmd = app.add_subcommand(
      "testserver",
      "Serve HTTP/1.1 like a web application node: K workers, a bounded queue, simulated "
      "service times; /health for balancer checks; SIGTERM/SIGINT drain and exit 0");
  cmd->add_option("--port", args->port, "TCP port; 0 picks a free one (printed on stderr)")
      ->required()
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--bind", args->bind, "IP address to listen on (a literal, nothing else)")
      ->capture_default_str();
  cmd->add_option("--service-time", args->service_time,
                  "exponential:MEAN | deterministic:MEAN | lognormal:MEAN:SCV (seconds)")
      ->capture_default_str();
  cmd->add_option("--workers", args->workers, "requests served at once (K)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cmd->add_option("--queue", args->queue, "requests waiting for a worker; beyond that, 503")
      ->check(CLI::Range(0, 1 << 20))
      ->capture_default_str();
  cmd->add_option("--mode", args->mode, "sleep: a timer per request; cpu: a busy worker thread")
      ->check(CLI::IsMember({"sleep", "cpu"}))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the service-time draws")->capture_default_str();
  cmd->add_option("--status-after", args->status_after,
                  "WHEN:CODE[:SCOPE], repeatable: after N application requests (N) or T seconds "
                  "(Ts, Tms), answer CODE (200 restores) to all, app or health requests; the "
                  "last triggered rule wins")
      ->allow_extra_args(false);
  cmd->add_option("--grace", args->grace_s,
                  "seconds a drain may take before the remaining requests are abandoned (exit 1)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--boot-delay", args->boot_delay_s,
                  "seconds to wait before listening, like a node that boots")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args] { throw CLI::RuntimeError(RunTestserver(*args)); });
}

}  // namespace ebb::cli
