#include "apps/cli/simulate_command.h"

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sim/report_writer.h"
#include "sim/sim_config.h"
#include "sim/simulation.h"

namespace ebb::cli {
namespace {

struct SimulateArgs {
  std::string config;
  std::vector<std::string> overrides;
  std::string out;
  bool json = false;
};

void PrintTable(const sim::SimSummary& s, const sim::SimConfig& c) {
  fmt::print("policy            {}  ({} nodes, seed {})\n", s.policy, c.nodes, s.seed);
  fmt::print("simulated         {:.0f} s from Unix time {:.0f}, {} events in {:.2f} s\n",
             s.simulated_s, s.window_start, s.events, s.wall_s);
  fmt::print("requests          {}  completed {}  rejected {}  aborted {}\n", s.requests,
             s.completed, s.rejected, s.aborted);
  fmt::print("SLA ({} s)         {:.4f} answered in time\n", c.sla_s, s.sla_ok_ratio);
  fmt::print("response time     mean {:.4f} s  p50 {:.4f}  p95 {:.4f}  p99 {:.4f}  max {:.4f}\n",
             s.response_time_s.mean, s.response_time_s.p50, s.response_time_s.p95,
             s.response_time_s.p99, s.response_time_s.max);
  fmt::print("energy            {:.3f} kWh  (always on {:.3f} kWh, saved {:.1f} %)\n", s.energy_kwh,
             s.always_on_energy_kwh, 100 * s.saving_ratio);
  fmt::print("offline optimum   {:.3f} kWh  (saves {:.1f} %); this run reached {:.1f} % of it\n",
             s.optimum_energy_kwh, 100 * s.optimum_saving_ratio, 100 * s.share_of_optimum_saving);
  fmt::print(
      "nodes             {:.2f} powered on average, downtime {:.0f} node-s, {} boots, "
      "{} shutdowns, {} decisions logged\n",
      s.mean_powered_nodes, s.node_downtime_s, s.boots, s.shutdowns, s.decisions);
}

int RunSimulate(const SimulateArgs& args) {
  core::Result<sim::SimConfig> config = sim::LoadSimConfig(args.config, args.overrides);
  if (!config.ok()) {
    fmt::print(stderr, "ebb simulate: {}\n", config.status().message());
    return 2;
  }
  std::unique_ptr<sim::ReportWriter> writer;
  if (!args.out.empty()) {
    auto created = sim::ReportWriter::Create(args.out);
    if (!created.ok()) {
      fmt::print(stderr, "ebb simulate: {}\n", created.status().message());
      return 2;
    }
    writer = std::move(created).value();
    writer->SetEffectiveConfig(config->effective);
  }

  sim::SimOutputs outputs;
  if (writer) {
    outputs.decisions = writer.get();
    outputs.on_start = [&writer, speedup = config->workload.speedup](double window_start) {
      writer->SetTimeBase(window_start, speedup);
    };
    outputs.on_tick = [&writer](const sim::TimeseriesRow& row) { writer->OnTick(row); };
  }
  const bool terminal = isatty(STDERR_FILENO) == 1;
  if (terminal) {
    outputs.on_progress = [](double done, std::uint64_t events) {
      fmt::print(stderr, "\rsimulating: {:5.1f} %  {} events", 100 * done, events);
      std::fflush(stderr);
    };
  }
  core::Result<sim::SimSummary> summary = sim::RunSimulation(*config, outputs);
  if (terminal) fmt::print(stderr, "\r\033[K");
  if (!summary.ok()) {
    fmt::print(stderr, "ebb simulate: {}\n", summary.status().message());
    return 1;
  }
  if (writer) {
    core::Status committed = writer->Commit(*summary, config->sla_s);
    if (!committed.ok()) {
      fmt::print(stderr, "ebb simulate: {}\n", committed.message());
      return 1;
    }
  }
  if (args.json) {
    fmt::print("{}\n", sim::ToJson(*summary).dump());
  } else {
    PrintTable(*summary, *config);
    if (!args.out.empty()) fmt::print("report            {}/\n", args.out);
  }
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate", "Replay a trace against a simulated cluster driven by the real controller");
  cmd->add_option("config", args->config, "the simulation's TOML file")->required();
  cmd->add_option("--set", args->overrides,
                  "override a config key: --set cluster.nodes=20 (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--out", args->out,
                  "write summary.json, timeseries.csv and decisions.jsonl into this folder");
  cmd->add_flag("--json", args->json, "print the summary as one JSON object");
  cmd->callback([args] { throw CLI::RuntimeError(RunSimulate(*args)); });
}

}  // namespace ebb::cli
