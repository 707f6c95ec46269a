// `ebb simulate` end to end: the bundled example, its report folder, and bad input.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"

namespace {

namespace fs = std::filesystem;
using ebb::testing::CommandResult;
using ebb::testing::ReadFile;

CommandResult Ebb(const std::string& args) {
  return ebb::testing::RunShell(std::string(EBB_BINARY) + " " + args);
}

class CliTest : public testing::Test {
 protected:
  std::string Example() const { return std::string(EBB_REPO_DIR) + "/examples/nasa-day.toml"; }
  ebb::testing::TestDir dir_{"ebb_cli"};
};

TEST_F(CliTest, BundledExamplePrintsJsonWithEveryField) {
  const CommandResult run =
      Ebb("simulate " + Example() + " --set workload.duration_s=21600 --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  for (const char* key :
       {"requests", "completed", "rejected", "sla_ok_ratio", "response_time_s", "energy_kwh",
        "always_on_energy_kwh", "saving_ratio", "optimum", "share_of_optimum_saving",
        "node_downtime_s", "boots", "shutdowns", "events", "wall_s"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"mean", "p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(j["response_time_s"].contains(key)) << key;
  }
  EXPECT_TRUE(j["optimum"].contains("energy_kwh"));
  EXPECT_TRUE(j["optimum"].contains("saving_ratio"));
  EXPECT_GT(j["requests"].get<std::int64_t>(), 10000);
  EXPECT_GT(j["saving_ratio"].get<double>(), 0.2);
  EXPECT_EQ(j["policy"], "regression");
}

TEST_F(CliTest, OutWritesTheReportFolderAndSameSeedGivesSameBytes) {
  for (const char* run_name : {"a", "b"}) {
    const CommandResult run =
        Ebb("simulate " + Example() + " --set workload.duration_s=7200 --out " +
            (dir_ / run_name).string());
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.out.find("offline optimum"), std::string::npos) << run.out;
  }
  for (const char* name : {"timeseries.csv", "decisions.jsonl"}) {
    EXPECT_EQ(ReadFile(dir_ / "a" / name), ReadFile(dir_ / "b" / name)) << name;
  }
  auto a = nlohmann::json::parse(ReadFile(dir_ / "a" / "summary.json"));
  auto b = nlohmann::json::parse(ReadFile(dir_ / "b" / "summary.json"));
  a.erase("wall_s");
  b.erase("wall_s");
  EXPECT_EQ(a, b);
  const std::string series = ReadFile(dir_ / "a" / "timeseries.csv");
  EXPECT_EQ(series.substr(0, series.find('\n')),
            "t_s,unix_time,arrival_rps,forecast_rps,serving_nodes,powered_nodes,queue,"
            "p95_latency_s,power_w");
  EXPECT_EQ(std::count(series.begin(), series.end(), '\n'), 7200 + 1);
  EXPECT_NE(ReadFile(dir_ / "a" / "report.html").find("<svg"), std::string::npos);

  // The response-time distribution holds every completed request, in increasing buckets.
  std::istringstream histogram(ReadFile(dir_ / "a" / "latency_histogram.csv"));
  std::string line;
  std::getline(histogram, line);
  EXPECT_EQ(line, "lower_s,upper_s,requests");
  std::int64_t counted = 0;
  double previous_upper = 0;
  while (std::getline(histogram, line)) {
    double lower = 0, upper = 0;
    std::int64_t requests = 0;
    char comma1 = 0, comma2 = 0;
    std::istringstream(line) >> lower >> comma1 >> upper >> comma2 >> requests;
    EXPECT_LE(previous_upper, lower) << line;
    EXPECT_LT(lower, upper) << line;
    EXPECT_GT(requests, 0) << line;
    previous_upper = upper;
    counted += requests;
  }
  EXPECT_EQ(counted, a["completed"].get<std::int64_t>());

  // The folder keeps the configuration it ran with; run again from it, the results are the same.
  const CommandResult again = Ebb("simulate " + (dir_ / "a" / "config.toml").string() + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto c = nlohmann::json::parse(again.out);
  c.erase("wall_s");
  EXPECT_EQ(c, a);
}

TEST_F(CliTest, MalformedTraceLineFailsNamingFileLineAndFieldAndWritesNothing) {
  const fs::path trace = dir_ / "bad.csv";
  std::ofstream(trace) << "unix_time,requests\n100,1\n101,2\n102,two\n103,1\n";
  const fs::path out = dir_ / "report";
  const CommandResult run =
      Ebb("simulate " + Example() + " --set workload.trace=" + trace.string() + " --out " +
          out.string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find(trace.string() + ":4: field 'requests'"), std::string::npos) << run.err;
  EXPECT_TRUE(fs::is_empty(out)) << "a failed run left files behind";
}

TEST_F(CliTest, ConfigErrorsNameFileAndLine) {
  const fs::path config = dir_ / "sim.toml";
  std::ofstream(config) << "[cluster]\nnodes = 4\nmaxconns = 2\n[workload]\nrate_rps = 1\n"
                           "duration_s = 10\n";
  const CommandResult run = Ebb("simulate " + config.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(config.string() + ":3: unknown key \"cluster.maxconns\""),
            std::string::npos)
      << run.err;
}

TEST_F(CliTest, MissingTraceAndMissingConfigFail) {
  CommandResult run = Ebb("simulate " + Example() + " --set workload.trace=/nonexistent/trace.csv");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("/nonexistent/trace.csv: cannot open"), std::string::npos) << run.err;
  run = Ebb("simulate " + (dir_ / "none.toml").string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.err.find("none.toml"), std::string::npos) << run.err;
}

TEST_F(CliTest, UnknownFlagAndMissingArgumentFail) {
  EXPECT_NE(Ebb("simulate " + Example() + " --frobnicate").exit_code, 0);
  EXPECT_NE(Ebb("simulate").exit_code, 0);
  EXPECT_NE(Ebb("").exit_code, 0);
}

}  // namespace
