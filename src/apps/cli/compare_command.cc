#include "apps/cli/compare_command.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "apps/cli/sigint_scope.h"
#include "tools/compare/collect.h"
#include "tools/compare/compare_plan.h"
#include "tools/compare/run_folder.h"
#include "tools/compare/run_pool.h"
#include "tools/compare/text_file.h"

namespace ebb::cli {
namespace {

namespace fs = std::filesystem;

struct CompareArgs {
  std::string config;
  std::string policies;
  std::string traces;
  std::string out = "compare-out";
  std::string emit;
  std::string collect;
  int jobs = 0;  // 0: one per core
  bool json = false;
};

int Fail(const std::string& message) {
  fmt::print(stderr, "ebb compare: {}\n", message);
  return 2;
}

// The running binary, so that every run is simulated by the same ebb.
std::string SelfPath() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? std::string("ebb") : self.string();
}

// Prints the table (or JSON) and names what is missing; 0 only when every run is in the table.
int Report(const compare::Collected& collected, bool json, std::size_t planned) {
  if (json) {
    nlohmann::ordered_json j;
    j["league"] = compare::LeagueJson(collected.rows);
    j["problems"] = collected.problems;
    j["report"] = collected.report.string();
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}", compare::LeagueText(collected.rows));
    fmt::print("report  {}\ntable   {}\n", collected.report.string(), collected.league.string());
  }
  for (const std::string& problem : collected.problems) {
    fmt::print(stderr, "ebb compare: left out: {}\n", problem);
  }
  if (collected.rows.size() == planned) return 0;
  fmt::print(stderr, "ebb compare: {} of {} runs are missing from the table\n",
             planned - collected.rows.size(), planned);
  return 1;
}

int Collect(const fs::path& folder, bool json) {
  core::Result<compare::ComparePlan> plan = compare::ReadPlan(folder);
  if (!plan.ok()) return Fail(plan.status().message());
  core::Result<compare::Collected> collected = compare::CollectComparison(*plan, folder);
  if (!collected.ok()) return Fail(collected.status().message());
  return Report(*collected, json, plan->runs.size());
}

int RunCompare(const CompareArgs& args) {
  if (!args.collect.empty()) {
    if (!args.config.empty() || !args.policies.empty() || !args.emit.empty()) {
      return Fail("--collect DIR reads the plan from DIR: give no CONFIG, --policies or --emit");
    }
    return Collect(args.collect, args.json);
  }
  if (args.config.empty()) return Fail("give a CONFIG.toml (or --collect DIR)");
  if (args.jobs < 0) return Fail("--jobs must be >= 1");
  core::Result<compare::ComparePlan> plan =
      compare::MakePlan({.config = args.config,
                         .policies = compare::SplitList(args.policies),
                         .traces = compare::SplitList(args.traces)});
  if (!plan.ok()) return Fail(plan.status().message());
  const fs::path folder = args.emit.empty() ? fs::path(args.out) : fs::path(args.emit);
  if (core::Status written = compare::WritePlan(*plan, folder); !written.ok()) {
    return Fail(written.message());
  }

  if (!args.emit.empty()) {
    if (core::Status written = compare::WriteBatch(*plan, folder, SelfPath()); !written.ok()) {
      return Fail(written.message());
    }
    fmt::print(
        "{} tasks in {}/tasks.txt\nrun one:      bash {}/run-task.sh N   (N from 0 to {})\n"
        "on Slurm:     sbatch {}/compare.sbatch\nthen:         ebb compare --collect {}\n",
        plan->runs.size(), folder.string(), folder.string(), plan->runs.size() - 1, folder.string(),
        folder.string());
    return 0;
  }

  const fs::path base = fs::absolute(folder).lexically_normal();
  std::vector<power::ChildOptions> commands;
  for (const compare::RunSpec& run : plan->runs) {
    const fs::path dir = base / run.dir;
    std::error_code ignored;
    fs::create_directories(dir, ignored);
    // A summary from an earlier comparison in this folder must not stand in for a failed run.
    fs::remove(dir / "summary.json", ignored);
    fs::remove(dir / "simulate.out", ignored);
    fs::remove(dir / compare::kFailureFile, ignored);
    commands.push_back({.argv = compare::SimulateArgv(run, SelfPath(), base),
                        .output_path = (dir / "simulate.out").string(),
                        .capture_stderr = power::StderrCapture::kYes});
  }
  const int jobs = args.jobs > 0
                       ? args.jobs
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  std::size_t done = 0;
  std::size_t failed = 0;
  const SigintScope sigint;
  compare::RunAll(
      commands, jobs,
      [&](std::size_t i, const compare::RunOutcome& outcome) {
        ++done;
        const compare::RunSpec& run = plan->runs[i];
        if (outcome.succeeded) {
          fmt::print(stderr, "[{}/{}] {} on {}: done in {:.1f} s\n", done, commands.size(),
                     run.policy, run.trace, outcome.wall_s);
        } else {
          ++failed;
          fmt::print(stderr, "[{}/{}] {} on {}: FAILED: {}\n", done, commands.size(), run.policy,
                     run.trace, outcome.failure);
          // For the table's and the page's list of what is left out, and for a later --collect.
          (void)compare::WriteTextFile(base / run.dir / compare::kFailureFile, outcome.failure);
        }
      },
      &SigintScope::Interrupted());
  // Interrupted or not, what has finished is tabulated.
  core::Result<compare::Collected> collected = compare::CollectComparison(*plan, folder);
  if (!collected.ok()) return Fail(collected.status().message());
  const int status = Report(*collected, args.json, plan->runs.size());
  if (SigintScope::Interrupted()) return 130;
  return failed > 0 ? 1 : status;
}

}  // namespace

void AddCompareCommand(CLI::App& app) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmd = app.add_subcommand(
      "compare",
      "Run every policy on every trace (one `ebb simulate` each, in parallel), print a league "
      "table and write report.html");
  cmd->add_option("config", args->config, "the simulation's TOML file, shared by every run");
  cmd->add_option("--policies", args->policies, "policies to compare, comma-separated");
  cmd->add_option("--traces", args->traces,
                  "traces to run each policy on, comma-separated (default: the config's own)");
  cmd->add_option("--out", args->out,
                  "folder for the runs, league.csv and report.html (default compare-out)");
  cmd->add_option("--jobs", args->jobs, "runs at once (default: one per core)");
  cmd->add_option("--emit", args->emit,
                  "run nothing: write the runs as a batch (tasks.txt, run-task.sh, a Slurm "
                  "job-array compare.sbatch) into this folder");
  cmd->add_option("--collect", args->collect,
                  "run nothing: tabulate the finished runs of a folder written by --emit or --out");
  cmd->add_flag("--json", args->json, "print the table as JSON");
  cmd->callback([args] { throw CLI::RuntimeError(RunCompare(*args)); });
}

}  // namespace ebb::cli
