#include "tools/compare/compare_plan.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "policy/policy_factory.h"
#include "sim/sim_config.h"
#include "tools/compare/text_file.h"

namespace ebb::compare {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPlanFile = "compare.json";
constexpr const char* kConfigFile = "config.toml";

// A name that is safe as one path component and in a shell word: [A-Za-z0-9._-], else '_'.
std::string PathSafe(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    if (!plain) c = '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

core::Status CheckPolicies(const std::vector<std::string>& policies) {
  if (policies.empty()) return core::InvalidArgumentError("--policies: give at least one policy");
  const std::vector<std::string_view> known = policy::PolicyNames();
  std::set<std::string> seen;
  for (const std::string& name : policies) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return core::InvalidArgumentError(fmt::format("--policies: unknown policy \"{}\" (known: {})",
                                                    name, fmt::join(known, ", ")));
    }
    if (!seen.insert(name).second) {
      return core::InvalidArgumentError(fmt::format("--policies: \"{}\" is given twice", name));
    }
  }
  return core::Status::Ok();
}

// The traces' labels: stems, with -2, -3... for a stem seen before.
std::vector<TraceChoice> LabelTraces(const std::vector<std::string>& paths,
                                     const std::string& own_trace) {
  std::vector<TraceChoice> traces;
  std::set<std::string> taken;
  auto add = [&](const std::string& stem, const std::string& path) {
    std::string label = PathSafe(stem);
    for (int n = 2; !taken.insert(label).second; ++n)
      label = fmt::format("{}-{}", PathSafe(stem), n);
    traces.push_back({.label = label, .path = path});
  };
  if (paths.empty()) {
    add(own_trace.empty() ? std::string("constant-rate") : fs::path(own_trace).stem().string(), "");
  }
  for (const std::string& path : paths) add(fs::path(path).stem().string(), path);
  return traces;
}

// `shown` is the name as the user gave it, for the message.
core::Status CheckReadable(const std::string& path, const std::string& shown) {
  std::error_code error;
  if (!fs::is_regular_file(path, error)) {
    return core::InvalidArgumentError(fmt::format("trace {}: no such file", shown));
  }
  if (!std::ifstream(path).good()) {
    return core::InvalidArgumentError(fmt::format("trace {}: cannot read", shown));
  }
  return core::Status::Ok();
}

}  // namespace

std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> items;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto begin = item.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    items.push_back(item.substr(begin, item.find_last_not_of(" \t") - begin + 1));
  }
  return items;
}

core::Result<ComparePlan> MakePlan(const PlanRequest& request) {
  EBB_RETURN_IF_ERROR(CheckPolicies(request.policies));
  std::vector<std::string> trace_paths;
  for (const std::string& trace : request.traces) {
    trace_paths.push_back(fs::absolute(trace).lexically_normal().string());
    EBB_RETURN_IF_ERROR(CheckReadable(trace_paths.back(), trace));
  }
  core::Result<sim::SimConfig> config = sim::LoadSimConfig(request.config);
  if (!config.ok()) return config.status();
  if (trace_paths.empty() && !config->workload.trace.empty()) {
    EBB_RETURN_IF_ERROR(CheckReadable(config->workload.trace, config->workload.trace));
  }

  ComparePlan plan{.config_source = request.config,
                   .effective_config = config->effective,
                   .nodes = config->nodes,
                   .sla_s = config->sla_s,
                   .policies = request.policies,
                   .traces = LabelTraces(trace_paths, config->workload.trace)};
  for (const TraceChoice& trace : plan.traces) {
    for (const std::string& policy : plan.policies) {
      plan.runs.push_back({.trace = trace.label,
                           .trace_path = trace.path,
                           .policy = policy,
                           .dir = (fs::path("runs") / trace.label / PathSafe(policy)).string()});
      // What `ebb simulate` would refuse for this run (a policy's own settings), refused now.
      std::vector<std::string> overrides = {"policy.name=" + policy};
      if (!trace.path.empty()) overrides.push_back("workload.trace=" + trace.path);
      core::Result<sim::SimConfig> run_config = sim::LoadSimConfig(request.config, overrides);
      if (!run_config.ok()) {
        return core::InvalidArgumentError(fmt::format("policy {} on trace {}: {}", policy,
                                                      trace.label, run_config.status().message()));
      }
    }
  }
  return plan;
}

core::Status WritePlan(const ComparePlan& plan, const fs::path& folder) {
  nlohmann::ordered_json j;
  j["config"] = plan.config_source;
  j["nodes"] = plan.nodes;
  j["sla_s"] = plan.sla_s;
  j["policies"] = plan.policies;
  j["traces"] = nlohmann::ordered_json::array();
  for (const TraceChoice& t : plan.traces) {
    j["traces"].push_back({{"label", t.label}, {"path", t.path}});
  }
  j["runs"] = nlohmann::ordered_json::array();
  for (const RunSpec& r : plan.runs) {
    j["runs"].push_back(
        {{"trace", r.trace}, {"trace_path", r.trace_path}, {"policy", r.policy}, {"dir", r.dir}});
  }
  EBB_RETURN_IF_ERROR(WriteTextFile(folder / kConfigFile, plan.effective_config));
  return WriteTextFile(folder / kPlanFile, j.dump(2) + "\n");
}

core::Result<ComparePlan> ReadPlan(const fs::path& folder) {
  const fs::path path = folder / kPlanFile;
  core::Result<std::string> text = ReadTextFile(path);
  if (!text.ok()) {
    return core::NotFoundError(
        fmt::format("{}: {} (not a folder written by ebb compare --out or --emit?)", path.string(),
                    text.status().message()));
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    ComparePlan plan{.config_source = j.at("config").get<std::string>(),
                     .nodes = j.at("nodes").get<int>(),
                     .sla_s = j.at("sla_s").get<double>(),
                     .policies = j.at("policies").get<std::vector<std::string>>()};
    for (const auto& t : j.at("traces")) {
      plan.traces.push_back(
          {.label = t.at("label").get<std::string>(), .path = t.at("path").get<std::string>()});
    }
    for (const auto& r : j.at("runs")) {
      plan.runs.push_back({.trace = r.at("trace").get<std::string>(),
                           .trace_path = r.at("trace_path").get<std::string>(),
                           .policy = r.at("policy").get<std::string>(),
                           .dir = r.at("dir").get<std::string>()});
    }
    return plan;
  } catch (const nlohmann::json::exception& e) {
    return core::InvalidArgumentError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

std::vector<std::string> SimulateArgv(const RunSpec& run, const std::string& ebb_binary,
                                      const fs::path& base) {
  std::vector<std::string> argv = {ebb_binary, "simulate", (base / kConfigFile).string(), "--set",
                                   "policy.name=" + run.policy};
  if (!run.trace_path.empty()) {
    argv.insert(argv.end(), {"--set", "workload.trace=" + run.trace_path});
  }
  argv.insert(argv.end(), {"--out", (base / run.dir).string(), "--json"});
  return argv;
}

std::string ShellQuote(const std::string& word) {
  const bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("._-/=,:+@%").find(c) != std::string_view::npos;
  });
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

core::Status WriteBatch(const ComparePlan& plan, const fs::path& folder,
                        const std::string& ebb_binary) {
  std::string tasks;
  for (const RunSpec& run : plan.runs) {
    std::string line;
    for (const std::string& word : SimulateArgv(run, ebb_binary, "")) {
      line += (line.empty() ? "" : " ") + ShellQuote(word);
    }
    tasks += line + "\n";
  }
  EBB_RETURN_IF_ERROR(WriteTextFile(folder / "tasks.txt", tasks));

  const std::size_t last = plan.runs.empty() ? 0 : plan.runs.size() - 1;
  EBB_RETURN_IF_ERROR(WriteTextFile(
      folder / "run-task.sh",
      fmt::format(
          "#!/usr/bin/env bash\n"
          "# Runs one `ebb simulate` of this comparison: task $1, or $SLURM_ARRAY_TASK_ID in a\n"
          "# Slurm job array (line N+1 of tasks.txt, tasks 0-{0}), from this folder.\n"
          "# Once all have run: ebb compare --collect <this folder>\n"
          "set -euo pipefail\n"
          "cd \"$(dirname \"${{BASH_SOURCE[0]}}\")\"\n"
          "task=${{1:-${{SLURM_ARRAY_TASK_ID:-}}}}\n"
          "if [[ ! $task =~ ^[0-9]+$ ]] || ((task > {0})); then\n"
          "  echo \"run-task.sh: give a task number from 0 to {0} (or run in a Slurm array)\" >&2\n"
          "  exit 2\n"
          "fi\n"
          "command=$(sed -n \"$((task + 1))p\" tasks.txt)\n"
          "eval \"exec $command\"\n",
          last),
      fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec));

  std::error_code error;
  const fs::path absolute = fs::absolute(folder, error).lexically_normal();
  fs::create_directories(folder / "logs", error);
  if (error) {
    return core::InvalidArgumentError(
        fmt::format("{}: cannot create: {}", (folder / "logs").string(), error.message()));
  }
  return WriteTextFile(
      folder / "compare.sbatch",
      fmt::format("#!/bin/bash\n"
                  "# Every run of this comparison as one Slurm job array: sbatch compare.sbatch\n"
                  "# Once all tasks have finished: ebb compare --collect {0}\n"
                  "#SBATCH --job-name=ebb-compare\n"
                  "#SBATCH --array=0-{1}\n"
                  "#SBATCH --ntasks=1\n"
                  "#SBATCH --cpus-per-task=1\n"
                  "#SBATCH --chdir={0}\n"
                  "#SBATCH --output=logs/task-%a.out\n"
                  "exec bash ./run-task.sh \"$SLURM_ARRAY_TASK_ID\"\n",
                  ShellQuote(absolute.string()), last));
}

}  // namespace ebb::compare
