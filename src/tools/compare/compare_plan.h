// ComparePlan: what `ebb compare` runs: every policy on every trace, each run an independent
// `ebb simulate` with a folder of its own. A comparison folder holds
//   config.toml    the configuration every run reads (trace paths made absolute)
//   compare.json   this plan: the policies, the traces and the run folders
//   runs/<trace>/<policy>/   one `ebb simulate --out` folder per run
// and, once collected, league.csv and report.html. MakePlan checks every name before anything
// runs (unknown policy, unreadable trace, a configuration any run would refuse); errors are
// InvalidArgument values naming what is wrong. WriteBatch adds what a cluster's scheduler needs to
// run the same commands: tasks.txt, run-task.sh and compare.sbatch (a Slurm job array).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace ebb::compare {

struct TraceChoice {
  std::string label;  // folder and table name: the file's stem, made unique and path-safe
  std::string path;   // absolute; empty: the configuration's own workload, untouched
};

struct RunSpec {
  std::string trace;  // TraceChoice::label
  std::string trace_path;
  std::string policy;
  std::string dir;  // relative to the comparison folder: runs/<trace>/<policy>
};

struct ComparePlan {
  std::string config_source;     // the configuration as the user named it (titles only)
  std::string effective_config;  // written as config.toml
  int nodes = 0;
  double sla_s = 0;
  std::vector<std::string> policies;
  std::vector<TraceChoice> traces;
  std::vector<RunSpec> runs;  // trace-major: each trace's runs in the order of `policies`
};

struct PlanRequest {
  std::string config;
  std::vector<std::string> policies;  // names of policy::PolicyNames()
  std::vector<std::string> traces;    // relative to the working folder; none: the config's own
};

core::Result<ComparePlan> MakePlan(const PlanRequest& request);

// "a,b, c" -> {"a", "b", "c"}; empty items are dropped.
std::vector<std::string> SplitList(const std::string& list);

// Writes config.toml and compare.json into `folder` (created if needed).
core::Status WritePlan(const ComparePlan& plan, const std::filesystem::path& folder);
// Reads compare.json (and nothing else) from a folder WritePlan wrote.
core::Result<ComparePlan> ReadPlan(const std::filesystem::path& folder);

// The argv of one run: `ebb simulate <base>/config.toml --set policy.name=P
// [--set workload.trace=T] --out <base>/<dir> --json`. An empty `base` gives paths relative to
// the comparison folder.
std::vector<std::string> SimulateArgv(const RunSpec& run, const std::string& ebb_binary,
                                      const std::filesystem::path& base);

// `word` as one POSIX shell word: unchanged when it is plain, else single-quoted.
std::string ShellQuote(const std::string& word);

// Writes tasks.txt (task i on line i + 1, one shell-quoted command each, paths relative to the
// folder), run-task.sh (runs task $1, or $SLURM_ARRAY_TASK_ID, from inside the folder) and
// compare.sbatch (#SBATCH --array=0-(N-1) over run-task.sh) into a folder WritePlan wrote.
core::Status WriteBatch(const ComparePlan& plan, const std::filesystem::path& folder,
                        const std::string& ebb_binary);

}  // namespace ebb::compare
