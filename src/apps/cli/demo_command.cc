#include "apps/cli/demo_command.h"

#include <filesystem>
#include <memory>

#include "tools/demo/demo.h"

namespace ebb::cli {

void AddDemoCommand(CLI::App& app) {
  auto o = std::make_shared<demo::DemoOptions>();
  o->trace = std::string(EBB_DATA_DIR) + "/nasa_1995-07-06_requests_per_second.csv";
  CLI::App* cmd = app.add_subcommand(
      "demo",
      "Run haproxy, testserver nodes and the daemon on loopback, replay a real trace through "
      "them, and compare the outcome with the simulator's prediction");
  cmd->add_option("--nodes", o->nodes, "testserver nodes behind haproxy")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  cmd->add_option("--minutes", o->minutes, "replay length (the trace window is compressed)")
      ->check(CLI::Range(0.05, 120.0))
      ->capture_default_str();
  cmd->add_option("--trace", o->trace, "per-second trace (unix_time,requests)")
      ->capture_default_str();
  cmd->add_option("--start", o->trace_start, "Unix time in the trace to start at (0: its start)");
  cmd->add_option("--seconds", o->trace_seconds, "trace seconds to replay")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--scale", o->scale, "multiply the trace's request counts")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--workers", o->workers, "requests a node serves at once")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--service-mean", o->service_mean_s, "mean service time in seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--policy", o->policy, "the daemon's (and the simulator's) policy")
      ->capture_default_str();
  cmd->add_option("--boot-delay", o->boot_delay_s, "seconds a node takes to boot, on top")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--keep", o->keep_dir, "keep configs, logs and reports in this folder");
  cmd->add_flag("--json", o->json, "print the summary as one JSON object");
  cmd->add_flag(
      "--no-live", [o](std::int64_t) { o->live = false; }, "no live view");
  cmd->callback([o] {
    if (o->ebb_binary.empty()) {
      std::error_code ec;
      o->ebb_binary = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    }
    throw CLI::RuntimeError(demo::RunDemo(*o));
  });
}

}  // namespace ebb::cli
