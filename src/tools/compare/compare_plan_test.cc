#include "tools/compare/compare_plan.h"

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "policy/policy_factory.h"
#include "testing/command.h"
#include "testing/small_simulation.h"

namespace ebb::compare {
namespace {

namespace fs = std::filesystem;
using ebb::testing::ReadFile;
using ebb::testing::RunShell;

std::vector<std::string> SomePolicies(std::size_t n) {
  std::vector<std::string> names;
  for (std::string_view name : policy::PolicyNames()) {
    if (names.size() < n) names.emplace_back(name);
  }
  return names;
}

class ComparePlanTest : public ::testing::Test {
 protected:
  ebb::testing::TestDir dir_{"ebb_compare_plan"};
  ebb::testing::SmallSimulation sim_ = ebb::testing::WriteSmallSimulation(dir_.path(), "small");
};

TEST(SplitListTest, TrimsAndDropsEmptyItems) {
  EXPECT_EQ(SplitList("a, b ,,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_TRUE(SplitList(" , ").empty());
}

TEST(ShellQuoteTest, TheShellReadsBackEveryWordUnchanged) {
  const std::vector<std::string> words = {"plain/path.csv", "policy.name=a-b",    "two words",
                                          "it's",           "$HOME `x` \"q\" \\", ""};
  std::string command = "printf '%s\\n'";
  for (const std::string& word : words) command += " " + ShellQuote(word);
  const ebb::testing::CommandResult run = RunShell(command);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string expected;
  for (const std::string& word : words) expected += word + "\n";
  EXPECT_EQ(run.out, expected);
  EXPECT_EQ(ShellQuote("plain/path.csv"), "plain/path.csv");
}

TEST_F(ComparePlanTest, EveryPolicyOnEveryTraceTraceMajor) {
  const fs::path other = dir_ / "b";
  fs::create_directories(other);
  const fs::path second = ebb::testing::WriteSmallTrace(other / "small.csv", 100, 20);
  const fs::path third = ebb::testing::WriteSmallTrace(dir_ / "quiet day.csv", 100, 5);
  const std::vector<std::string> policies = SomePolicies(3);
  auto plan = MakePlan({.config = sim_.config.string(),
                        .policies = policies,
                        .traces = {sim_.trace.string(), second.string(), third.string()}});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->traces.size(), 3u);
  // Same stems are told apart; what a path cannot hold is replaced.
  EXPECT_EQ(plan->traces[0].label, "small");
  EXPECT_EQ(plan->traces[1].label, "small-2");
  EXPECT_EQ(plan->traces[2].label, "quiet_day");
  EXPECT_EQ(plan->traces[1].path, second.string());
  ASSERT_EQ(plan->runs.size(), 3 * policies.size());
  for (std::size_t t = 0; t < 3; ++t) {
    for (std::size_t p = 0; p < policies.size(); ++p) {
      const RunSpec& run = plan->runs[t * policies.size() + p];
      EXPECT_EQ(run.trace, plan->traces[t].label);
      EXPECT_EQ(run.policy, policies[p]);
      EXPECT_EQ(run.dir, "runs/" + run.trace + "/" + run.policy);
    }
  }
  EXPECT_EQ(plan->nodes, 4);
  EXPECT_DOUBLE_EQ(plan->sla_s, 1);
  // The configuration's copy works from anywhere: its trace path is absolute.
  EXPECT_NE(plan->effective_config.find(sim_.trace.string()), std::string::npos);
}

TEST_F(ComparePlanTest, WithoutTracesTheConfigsOwnIsRunUntouched) {
  auto plan = MakePlan({.config = sim_.config.string(), .policies = SomePolicies(2)});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->traces.size(), 1u);
  EXPECT_EQ(plan->traces[0].label, "small");
  EXPECT_TRUE(plan->traces[0].path.empty());
  const std::vector<std::string> argv = SimulateArgv(plan->runs[1], "/bin/ebb", "");
  EXPECT_EQ(argv, (std::vector<std::string>{"/bin/ebb", "simulate", "config.toml", "--set",
                                            "policy.name=" + SomePolicies(2)[1], "--out",
                                            "runs/small/" + SomePolicies(2)[1], "--json"}));
}

TEST_F(ComparePlanTest, RelativeTracesAreRelativeToTheWorkingFolder) {
  const fs::path relative = fs::relative(sim_.trace, fs::current_path());
  ASSERT_TRUE(relative.is_relative());
  auto plan = MakePlan(
      {.config = sim_.config.string(), .policies = SomePolicies(1), .traces = {relative.string()}});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->traces[0].path, sim_.trace.string());
  const std::vector<std::string> argv = SimulateArgv(plan->runs[0], "ebb", "/base");
  EXPECT_NE(std::find(argv.begin(), argv.end(), "workload.trace=" + sim_.trace.string()),
            argv.end());
  EXPECT_EQ(argv[2], "/base/config.toml");
  EXPECT_NE(std::find(argv.begin(), argv.end(), "/base/runs/small/" + SomePolicies(1)[0]),
            argv.end());
}

TEST_F(ComparePlanTest, BadNamesAreRefusedNamingThem) {
  auto plan = MakePlan({.config = sim_.config.string(), .policies = {"no-such-policy"}});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("unknown policy \"no-such-policy\""), std::string::npos);
  for (std::string_view known : policy::PolicyNames()) {
    EXPECT_NE(plan.status().message().find(known), std::string::npos) << known;
  }
  plan = MakePlan({.config = sim_.config.string(),
                   .policies = SomePolicies(1),
                   .traces = {(dir_ / "missing.csv").string()}});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("missing.csv: no such file"), std::string::npos)
      << plan.status().message();
  plan = MakePlan({.config = sim_.config.string(), .policies = {}});
  EXPECT_FALSE(plan.ok());
  plan = MakePlan(
      {.config = sim_.config.string(), .policies = {SomePolicies(1)[0], SomePolicies(1)[0]}});
  EXPECT_FALSE(plan.ok());
  plan = MakePlan({.config = (dir_ / "none.toml").string(), .policies = SomePolicies(1)});
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("none.toml"), std::string::npos);
}

TEST_F(ComparePlanTest, WrittenPlanReadsBackTheSame) {
  auto plan = MakePlan({.config = sim_.config.string(),
                        .policies = SomePolicies(2),
                        .traces = {sim_.trace.string()}});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const fs::path folder = dir_ / "cmp";
  ASSERT_TRUE(WritePlan(*plan, folder).ok());
  EXPECT_EQ(ReadFile(folder / "config.toml"), plan->effective_config);
  auto read = ReadPlan(folder);
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->config_source, plan->config_source);
  EXPECT_EQ(read->nodes, plan->nodes);
  EXPECT_EQ(read->policies, plan->policies);
  ASSERT_EQ(read->runs.size(), plan->runs.size());
  for (std::size_t i = 0; i < read->runs.size(); ++i) {
    EXPECT_EQ(read->runs[i].dir, plan->runs[i].dir);
    EXPECT_EQ(read->runs[i].trace_path, plan->runs[i].trace_path);
  }
  auto missing = ReadPlan(dir_ / "nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("compare.json"), std::string::npos);
}

TEST_F(ComparePlanTest, BatchHasOneTaskPerRunAndAnArrayOfThatSize) {
  auto plan = MakePlan({.config = sim_.config.string(), .policies = SomePolicies(3)});
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  const fs::path folder = dir_ / "batch";
  ASSERT_TRUE(WritePlan(*plan, folder).ok());
  ASSERT_TRUE(WriteBatch(*plan, folder, "/opt/ebb dir/ebb").ok());
  const std::string tasks = ReadFile(folder / "tasks.txt");
  EXPECT_EQ(std::count(tasks.begin(), tasks.end(), '\n'), static_cast<long>(plan->runs.size()));
  EXPECT_EQ(tasks.rfind("'/opt/ebb dir/ebb' simulate config.toml --set policy.name=", 0), 0u)
      << tasks;
  const std::string sbatch = ReadFile(folder / "compare.sbatch");
  EXPECT_NE(sbatch.find(fmt::format("#SBATCH --array=0-{}\n", plan->runs.size() - 1)),
            std::string::npos)
      << sbatch;
  EXPECT_NE(sbatch.find("run-task.sh"), std::string::npos);
  EXPECT_TRUE(fs::is_directory(folder / "logs"));
  EXPECT_NE(fs::status(folder / "run-task.sh").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  // A task number out of range is refused before anything runs.
  const auto run =
      RunShell((folder / "run-task.sh").string() + " " + std::to_string(plan->runs.size()));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("give a task number from 0 to"), std::string::npos) << run.err;
  EXPECT_EQ(RunShell("env -u SLURM_ARRAY_TASK_ID " + (folder / "run-task.sh").string()).exit_code,
            2);
}

}  // namespace
}  // namespace ebb::compare
