// `ebb compare` end to end: real `ebb simulate` runs in parallel, the league table against the
// runs' own summaries, a failing run among good ones, bad input, the emitted batch run task by
// task through run-task.sh, and the page rendered by headless Chromium.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "policy/policy_factory.h"
#include "testing/command.h"
#include "testing/small_simulation.h"
#include "tools/compare/compare_report.h"

namespace {

using ebb::testing::CountOccurrences;

namespace fs = std::filesystem;
using ebb::testing::CommandResult;
using ebb::testing::ReadFile;

CommandResult Ebb(const std::string& args) {
  return ebb::testing::RunShell(std::string(EBB_BINARY) + " " + args);
}

// The first `n` policies the factory knows: new ones may come, none is named here.
std::vector<std::string> Policies(std::size_t n) {
  std::vector<std::string> names;
  for (std::string_view name : ebb::policy::PolicyNames()) {
    if (names.size() < n) names.emplace_back(name);
  }
  return names;
}

std::string Joined(const std::vector<std::string>& items) {
  return fmt::format("{}", fmt::join(items, ","));
}

class CompareCliTest : public testing::Test {
 protected:
  ebb::testing::TestDir dir_{"ebb_compare_cli"};
  ebb::testing::SmallSimulation sim_ = ebb::testing::WriteSmallSimulation(dir_.path(), "wave");
};

// Each row of the table against the summary.json of its own run folder.
void ExpectRowsMatchRunFolders(const nlohmann::json& league, const fs::path& out, int nodes) {
  for (const auto& row : league) {
    const fs::path run =
        out / "runs" / row["trace"].get<std::string>() / row["policy"].get<std::string>();
    const auto summary = nlohmann::json::parse(ReadFile(run / "summary.json"));
    EXPECT_EQ(summary["policy"], row["policy"]);
    EXPECT_DOUBLE_EQ(row["sla_share"].get<double>(), summary["sla_ok_ratio"].get<double>());
    EXPECT_DOUBLE_EQ(row["p99_s"].get<double>(), summary["response_time_s"]["p99"].get<double>());
    EXPECT_DOUBLE_EQ(row["energy_kwh"].get<double>(), summary["energy_kwh"].get<double>());
    EXPECT_DOUBLE_EQ(
        row["boots_per_node_day"].get<double>(),
        summary["boots"].get<double>() / nodes / (summary["simulated_s"].get<double>() / 86400));
    if (summary.contains("cost")) {
      EXPECT_DOUBLE_EQ(row["cost"].get<double>(), summary["cost"]["mean"].get<double>());
    } else {
      EXPECT_TRUE(row["cost"].is_null());
    }
    for (const char* file : {"timeseries.csv", "latency_histogram.csv", "decisions.jsonl"}) {
      EXPECT_TRUE(fs::exists(run / file)) << run / file;
    }
  }
}

TEST_F(CompareCliTest, EveryPolicyOnEveryTraceInParallelWithTableAndPage) {
  const fs::path second = ebb::testing::WriteSmallTrace(dir_ / "calm.csv", 200, 25);
  const std::vector<std::string> policies = Policies(3);
  const fs::path out = dir_ / "out";
  const CommandResult run = Ebb(fmt::format(
      "compare {} --policies {} --traces {},{} --out {} --jobs 2 --json", sim_.config.string(),
      Joined(policies), sim_.trace.string(), second.string(), out.string()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_TRUE(j["problems"].empty()) << j["problems"];
  const auto& league = j["league"];
  ASSERT_EQ(league.size(), 2 * policies.size());
  for (std::size_t i = 0; i < league.size(); ++i) {
    EXPECT_EQ(league[i]["trace"], i < policies.size() ? "wave" : "calm");
    EXPECT_EQ(league[i]["policy"], policies[i % policies.size()]);
  }
  ExpectRowsMatchRunFolders(league, out, 4);
  // The runs differ: the same trace under different policies is not one run copied.
  EXPECT_NE(league[0]["energy_kwh"], league[1]["energy_kwh"]);

  const std::string csv = ReadFile(out / "league.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + static_cast<long>(league.size()));
  const std::string html = ReadFile(out / "report.html");
  EXPECT_EQ(CountOccurrences(html, "class=\"chart\""),
            ebb::compare::ExpectedChartCount(2, static_cast<int>(policies.size())));

  // The same folder collected again prints the table as text, one aligned line per run.
  const CommandResult text = Ebb("compare --collect " + out.string());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  std::istringstream lines(text.out);
  std::vector<std::string> table;
  for (std::string line; std::getline(lines, line) && line.rfind("report", 0) != 0;) {
    table.push_back(line);
  }
  ASSERT_EQ(table.size(), 1 + league.size()) << text.out;
  EXPECT_NE(table[0].find("SLA %"), std::string::npos);
  EXPECT_NE(table[0].find("cost C"), std::string::npos);
  for (const std::string& line : table) EXPECT_EQ(line.size(), table[0].size()) << line;
}

TEST_F(CompareCliTest, AFailedRunIsReportedWithItsErrorAndTheOthersAreTabulated) {
  const fs::path bad = dir_ / "broken.csv";
  std::ofstream(bad) << "unix_time,requests\n1000,3\n1001,4\n1002,four\n1003,1\n";
  const std::vector<std::string> policies = Policies(2);
  const fs::path out = dir_ / "out";
  const CommandResult run = Ebb(
      fmt::format("compare {} --policies {} --traces {},{} --out {} --json", sim_.config.string(),
                  Joined(policies), bad.string(), sim_.trace.string(), out.string()));
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("FAILED"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(bad.string() + ":4: field 'requests'"), std::string::npos) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j["league"].size(), policies.size());
  for (const auto& row : j["league"]) EXPECT_EQ(row["trace"], "wave");
  ASSERT_EQ(j["problems"].size(), policies.size());
  // The table's list of what is left out, and the page's, say why.
  for (const auto& problem : j["problems"]) {
    EXPECT_NE(problem.get<std::string>().find(":4: field 'requests'"), std::string::npos)
        << problem;
  }
  const std::string html = ReadFile(out / "report.html");
  EXPECT_NE(html.find("Runs left out"), std::string::npos);
  EXPECT_NE(html.find(":4: field 'requests'"), std::string::npos);
}

TEST_F(CompareCliTest, BadInputFailsBeforeAnythingRuns) {
  const fs::path out = dir_ / "out";
  CommandResult run = Ebb(fmt::format("compare {} --policies {},no-such-policy --out {}",
                                      sim_.config.string(), Policies(1)[0], out.string()));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown policy \"no-such-policy\""), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out));

  run = Ebb(fmt::format("compare {} --policies {} --traces {} --out {}", sim_.config.string(),
                        Policies(1)[0], (dir_ / "absent.csv").string(), out.string()));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("absent.csv: no such file"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out));

  run = Ebb("compare " + sim_.config.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--policies"), std::string::npos) << run.err;

  run = Ebb("compare --collect " + dir_.path().string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("compare.json"), std::string::npos) << run.err;
}

TEST_F(CompareCliTest, EmittedTasksRunLocallyThroughRunTaskThenCollect) {
  const std::vector<std::string> policies = Policies(2);
  const fs::path batch = dir_ / "batch";
  const CommandResult emit =
      Ebb(fmt::format("compare {} --policies {} --emit {}", sim_.config.string(), Joined(policies),
                      batch.string()));
  ASSERT_EQ(emit.exit_code, 0) << emit.err;
  EXPECT_FALSE(fs::exists(batch / "runs")) << "--emit ran something";
  const std::string tasks = ReadFile(batch / "tasks.txt");
  const auto task_count = static_cast<std::size_t>(std::count(tasks.begin(), tasks.end(), '\n'));
  ASSERT_EQ(task_count, policies.size());
  EXPECT_NE(
      ReadFile(batch / "compare.sbatch").find(fmt::format("#SBATCH --array=0-{}", task_count - 1)),
      std::string::npos);

  // Before the tasks have run, collect names every missing run and fails.
  CommandResult collect = Ebb("compare --collect " + batch.string() + " --json");
  EXPECT_EQ(collect.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(collect.out)["problems"].size(), task_count);
  EXPECT_NE(collect.err.find("no summary.json"), std::string::npos) << collect.err;

  // Task 0 the way Slurm starts it, the others by number; from another folder, as a scheduler
  // would: run-task.sh finds its own folder.
  for (std::size_t i = 0; i < task_count; ++i) {
    const std::string how =
        i == 0 ? "SLURM_ARRAY_TASK_ID=0 bash " + (batch / "run-task.sh").string()
               : "bash " + (batch / "run-task.sh").string() + " " + std::to_string(i);
    const CommandResult task = ebb::testing::RunShell("cd / && " + how);
    ASSERT_EQ(task.exit_code, 0) << how << "\n" << task.err;
    EXPECT_EQ(nlohmann::json::parse(task.out)["policy"], policies[i]);
  }
  collect = Ebb("compare --collect " + batch.string() + " --json");
  ASSERT_EQ(collect.exit_code, 0) << collect.err;
  const auto j = nlohmann::json::parse(collect.out);
  ASSERT_EQ(j["league"].size(), task_count);
  EXPECT_TRUE(j["problems"].empty());
  ExpectRowsMatchRunFolders(j["league"], batch, 4);
  EXPECT_EQ(CountOccurrences(ReadFile(batch / "report.html"), "class=\"chart\""),
            ebb::compare::ExpectedChartCount(1, static_cast<int>(task_count)));
}

// Headless Chromium: the page's DOM as rendered, and every console message on stderr.
struct Rendered {
  int exit_code = -1;
  std::string dom;
  std::vector<std::string> console;  // the ":CONSOLE" lines
};

Rendered RenderInChromium(const fs::path& page, const fs::path& scratch) {
  // Chromium writes a profile and crash-report folders under HOME and XDG folders: all of them
  // in the test's folder, so that nothing is left behind.
  const fs::path home = scratch / "chromium-home";
  fs::create_directories(home);
  const CommandResult run = ebb::testing::RunShell(
      fmt::format("HOME={0} XDG_CONFIG_HOME={0} XDG_CACHE_HOME={0} timeout 120 chromium --headless "
                  "--no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir={0}/profile "
                  "--enable-logging=stderr --v=0 --dump-dom file://{1}",
                  home.string(), fs::absolute(page).string()));
  Rendered rendered{.exit_code = run.exit_code, .dom = run.out};
  std::istringstream err(run.err);
  for (std::string line; std::getline(err, line);) {
    if (line.find(":CONSOLE") != std::string::npos) rendered.console.push_back(line);
  }
  return rendered;
}

TEST_F(CompareCliTest, PageRendersInHeadlessChromiumWithEveryChartAndNoConsoleMessage) {
  if (ebb::testing::RunShell("command -v chromium").exit_code != 0) {
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  }
  // The check can fail: a page that logs an error is caught.
  const fs::path noisy = dir_ / "noisy.html";
  std::ofstream(noisy) << "<!DOCTYPE html><html><body><svg class=\"chart\"></svg>"
                          "<script>console.error('deliberate error from the test')</script>"
                          "</body></html>";
  const Rendered control = RenderInChromium(noisy, dir_.path());
  ASSERT_EQ(control.exit_code, 0);
  ASSERT_EQ(control.console.size(), 1u);
  EXPECT_NE(control.console[0].find("deliberate error from the test"), std::string::npos);

  const std::vector<std::string> policies = Policies(2);
  const fs::path out = dir_ / "out";
  const CommandResult run = Ebb(fmt::format("compare {} --policies {} --out {}",
                                            sim_.config.string(), Joined(policies), out.string()));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Rendered page = RenderInChromium(out / "report.html", dir_.path());
  ASSERT_EQ(page.exit_code, 0);
  EXPECT_EQ(CountOccurrences(page.dom, "<svg class=\"chart\""),
            ebb::compare::ExpectedChartCount(1, static_cast<int>(policies.size())));
  EXPECT_NE(page.dom.find("</table>"), std::string::npos);
  EXPECT_TRUE(page.console.empty()) << page.console.front();
}

}  // namespace
