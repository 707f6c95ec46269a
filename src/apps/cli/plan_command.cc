#include "apps/cli/plan_command.h"

#include <cstdio>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "queueing/reserves_model.h"

namespace ebb::cli {
namespace {

struct ReservesArgs {
  queueing::ReservesParams params{};
  std::optional<int> reserves, down, up;
  bool json = false;
};

constexpr char kReservesDescription[] = R"(Cost of a block of reserve servers (Mitrani & Mazzucco).

N servers, of which N - m are always on and a block of m reserves is powered up (setup time
exponential with rate NU) when the number of jobs in the system exceeds U and powered down when
it falls to D (a setup in progress is cancelled then); Poisson arrivals, exponential service per
server. Cost = c1 * jobs + c2 * powered servers (booting reserves count as powered). Prints the
exact steady-state cost, mean jobs in the system, mean powered servers and the probability that
the reserves are off for the given --reserves/--down/--up, or, without them, the thresholds of
least cost (searched over m in [0, N], 0 <= D <= U <= 2N) with the published heuristic's for
comparison.)";

nlohmann::ordered_json ToJson(const queueing::ReservesResult& r) {
  nlohmann::ordered_json j;
  j["cost"] = r.cost;
  j["jobs"] = r.jobs;
  j["powered"] = r.powered;
  j["p_reserves_off"] = r.p_reserves_off;
  j["reserves"] = r.thresholds.reserves;
  j["down"] = r.thresholds.down;
  j["up"] = r.thresholds.up;
  return j;
}

void PrintTable(const queueing::ReservesResult& r, const char* prefix) {
  auto line = [prefix](const char* key, const std::string& value) {
    fmt::print("{:<25}{}\n", fmt::format("{}{}", prefix, key), value);
  };
  line("cost", fmt::format("{:.10f}", r.cost));
  line("jobs", fmt::format("{:.10f}", r.jobs));
  line("powered", fmt::format("{:.10f}", r.powered));
  line("p_reserves_off", fmt::format("{:.10f}", r.p_reserves_off));
  line("reserves", fmt::format("{}", r.thresholds.reserves));
  line("down", fmt::format("{}", r.thresholds.down));
  line("up", fmt::format("{}", r.thresholds.up));
}

int RunReserves(const ReservesArgs& args) {
  const int given = args.reserves.has_value() + args.down.has_value() + args.up.has_value();
  if (given != 0 && given != 3) {
    fmt::print(stderr,
               "ebb plan reserves: give all of --reserves, --down and --up, or none to find the "
               "optimal ones\n");
    return 2;
  }
  const bool optimise = given == 0;
  const core::Result<queueing::ReservesResult> result =
      optimise ? queueing::OptimalReserves(args.params)
               : queueing::EvaluateReserves(
                     args.params, {.reserves = *args.reserves, .down = *args.down, .up = *args.up});
  if (!result.ok()) {
    fmt::print(stderr, "ebb plan reserves: {}\n", result.status().message());
    return 2;
  }
  std::optional<queueing::ReservesResult> heuristic;
  if (optimise) {
    const auto h =
        queueing::EvaluateReserves(args.params, queueing::HeuristicReserves(args.params));
    if (!h.ok()) {
      fmt::print(stderr, "ebb plan reserves: heuristic: {}\n", h.status().message());
      return 1;
    }
    heuristic = *h;
  }
  if (args.json) {
    nlohmann::ordered_json j = ToJson(*result);
    j["optimal"] = optimise;
    if (heuristic) j["heuristic"] = ToJson(*heuristic);
    fmt::print("{}\n", j.dump());
    return 0;
  }
  PrintTable(*result, "");
  if (heuristic) {
    fmt::print("\n");
    PrintTable(*heuristic, "heuristic_");
  }
  return 0;
}

void AddReservesCommand(CLI::App& plan) {
  auto args = std::make_shared<ReservesArgs>();
  CLI::App* cmd = plan.add_subcommand("reserves", kReservesDescription);
  queueing::ReservesParams& p = args->params;
  cmd->add_option("--servers", p.servers, "N: servers in the cluster")->required();
  cmd->add_option("--setup-rate", p.setup_rate, "NU: 1 / mean setup time of the reserves")
      ->required();
  cmd->add_option("--c1", p.c1, "cost per job in the system per unit time")->required();
  cmd->add_option("--c2", p.c2, "cost per powered server per unit time")->required();
  cmd->add_option("--arrival-rate", p.arrival_rate, "lambda: jobs per unit time")->required();
  cmd->add_option("--service-rate", p.service_rate, "mu: jobs per unit time per server")
      ->required();
  cmd->add_option("--reserves", args->reserves, "m: servers in the reserve block");
  cmd->add_option("--down", args->down, "D: reserves off when the jobs fall to D");
  cmd->add_option("--up", args->up, "U: reserves powered up when the jobs exceed U");
  cmd->add_flag("--json", args->json, "print one JSON object");
  cmd->callback([args] { throw CLI::RuntimeError(RunReserves(*args)); });
}

}  // namespace

void AddPlanCommand(CLI::App& app) {
  CLI::App* plan = app.add_subcommand("plan", "Capacity planning from queueing models");
  plan->require_subcommand(1);
  AddReservesCommand(*plan);
}

}  // namespace ebb::cli
