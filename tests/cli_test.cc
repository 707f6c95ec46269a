// `ebb simulate` end to end: the bundled example, its report folder, and bad input.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandResult Ebb(const std::string& args) {
  const std::string command = std::string(EBB_BINARY) + " " + args + " 2>&1";
  CommandResult run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buffer;
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ebb_cli_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Example() const { return std::string(EBB_REPO_DIR) + "/examples/nasa-day.toml"; }
  fs::path dir_;
};

TEST_F(CliTest, BundledExamplePrintsJsonWithEveryField) {
  const CommandResult run =
      Ebb("simulate " + Example() + " --set workload.duration_s=21600 --json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto j = nlohmann::json::parse(run.output);
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
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find("offline optimum"), std::string::npos) << run.output;
  }
  for (const char* name : {"timeseries.csv", "decisions.jsonl"}) {
    EXPECT_EQ(Read(dir_ / "a" / name), Read(dir_ / "b" / name)) << name;
  }
  auto a = nlohmann::json::parse(Read(dir_ / "a" / "summary.json"));
  auto b = nlohmann::json::parse(Read(dir_ / "b" / "summary.json"));
  a.erase("wall_s");
  b.erase("wall_s");
  EXPECT_EQ(a, b);
  const std::string series = Read(dir_ / "a" / "timeseries.csv");
  EXPECT_EQ(series.substr(0, series.find('\n')),
            "t_s,unix_time,arrival_rps,forecast_rps,serving_nodes,powered_nodes,queue,"
            "p95_latency_s,power_w");
  EXPECT_EQ(std::count(series.begin(), series.end(), '\n'), 7200 + 1);
  EXPECT_NE(Read(dir_ / "a" / "report.html").find("<svg"), std::string::npos);

  // The folder keeps the configuration it ran with; run again from it, the results are the same.
  const CommandResult again = Ebb("simulate " + (dir_ / "a" / "config.toml").string() + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  auto c = nlohmann::json::parse(again.output);
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
  EXPECT_NE(run.output.find(trace.string() + ":4: field 'requests'"), std::string::npos)
      << run.output;
  EXPECT_TRUE(fs::is_empty(out)) << "a failed run left files behind";
}

TEST_F(CliTest, ConfigErrorsNameFileAndLine) {
  const fs::path config = dir_ / "sim.toml";
  std::ofstream(config) << "[cluster]\nnodes = 4\nmaxconns = 2\n[workload]\nrate_rps = 1\n"
                           "duration_s = 10\n";
  const CommandResult run = Ebb("simulate " + config.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find(config.string() + ":3: unknown key \"cluster.maxconns\""),
            std::string::npos)
      << run.output;
}

TEST_F(CliTest, MissingTraceAndMissingConfigFail) {
  CommandResult run = Ebb("simulate " + Example() + " --set workload.trace=/nonexistent/trace.csv");
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("/nonexistent/trace.csv: cannot open"), std::string::npos)
      << run.output;
  run = Ebb("simulate " + (dir_ / "none.toml").string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_NE(run.output.find("none.toml"), std::string::npos) << run.output;
}

TEST_F(CliTest, UnknownFlagAndMissingArgumentFail) {
  EXPECT_NE(Ebb("simulate " + Example() + " --frobnicate").exit_code, 0);
  EXPECT_NE(Ebb("simulate").exit_code, 0);
  EXPECT_NE(Ebb("").exit_code, 0);
}

}  // namespace
