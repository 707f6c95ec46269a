// `ebb logstat` end to end: real logs, stdin, gzip, the per-second trace, bad input.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"

namespace {

namespace fs = std::filesystem;

using ebb::testing::CommandResult;
using ebb::testing::ReadFile;

const std::string kLogs = std::string(EBB_SHARED_DATA_DIR) + "/haproxy/logs/";
const std::string kNo7dw = kLogs + "real/no7dw_haproxy_2014-12-24.log";
const std::string kRaravena = kLogs + "real/raravena80_haproxy_2012-02.log";

class LogstatCliTest : public testing::Test {
 protected:
  // Runs `prefix ebb args` through the shell.
  static CommandResult Ebb(const std::string& args, const std::string& prefix = "") {
    return ebb::testing::RunShell(prefix + std::string(EBB_BINARY) + " " + args);
  }

  ebb::testing::TestDir dir_{"ebb_logstat"};
};

TEST_F(LogstatCliTest, JsonOnRealLog) {
  const CommandResult run = Ebb("logstat --json " + kNo7dw);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["lines"], 10193);
  EXPECT_EQ(j["invalid"], 0);
  EXPECT_EQ(j["status"]["200"], 4952);
  EXPECT_EQ(j["status"]["404"], 4677);
  EXPECT_EQ(j["status"]["304"], 444);
  EXPECT_EQ(j["termination"]["----"], 10088);
  EXPECT_EQ(j["termination"]["PR--"], 6);
  EXPECT_EQ(j["termination"]["SH--"], 5);
  for (const char* key : {"count", "mean", "variance", "min", "max", "scv", "p50", "p95", "p99"}) {
    EXPECT_TRUE(j["service_time_ms"].contains(key)) << key;
    EXPECT_TRUE(j["response_time_ms"].contains(key)) << key;
  }
  EXPECT_TRUE(j["backends"]["finance_invest_server"]["servers"].contains("tiger_node_8003"));
  EXPECT_TRUE(j.contains("sla_violations"));
}

TEST_F(LogstatCliTest, StdinGzipAndSeveralFilesAddUp) {
  const CommandResult plain = Ebb("logstat --json - < " + kRaravena);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const CommandResult piped = Ebb("logstat --json -", "cat " + kRaravena + " | ");
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_EQ(nlohmann::json::parse(plain.out), nlohmann::json::parse(piped.out));
  const auto j = nlohmann::json::parse(piped.out);
  EXPECT_EQ(j["parsed"], 17211);
  EXPECT_EQ(j["termination"]["PR--"], 7858);
  EXPECT_EQ(j["termination"]["CD--"], 2167);

  const fs::path gz = dir_ / "raravena.log.gz";
  ASSERT_EQ(std::system(("gzip -c " + kRaravena + " > " + gz.string()).c_str()), 0);
  const CommandResult zipped = Ebb("logstat --json " + gz.string());
  ASSERT_EQ(zipped.exit_code, 0) << zipped.err;
  EXPECT_EQ(nlohmann::json::parse(zipped.out), j);
  const CommandResult zipped_stdin = Ebb("logstat --json -", "cat " + gz.string() + " | ");
  ASSERT_EQ(zipped_stdin.exit_code, 0) << zipped_stdin.err;
  EXPECT_EQ(nlohmann::json::parse(zipped_stdin.out), j);

  const CommandResult both = Ebb("logstat --json " + kNo7dw + " " + gz.string());
  ASSERT_EQ(both.exit_code, 0) << both.err;
  const auto b = nlohmann::json::parse(both.out);
  EXPECT_EQ(b["lines"], 10193 + 17211);
  EXPECT_TRUE(b["backends"].contains("ProductionDeployment"));
  EXPECT_TRUE(b["backends"].contains("finance_invest_server"));
  EXPECT_EQ(
      b["parsed"].get<std::int64_t>(),
      17211 +
          nlohmann::json::parse(Ebb("logstat --json " + kNo7dw).out)["parsed"].get<std::int64_t>());
}

TEST_F(LogstatCliTest, InvalidLinesAreReportedWithFileAndLine) {
  const std::string path = kLogs + "fixtures/gforcada_2_ok_1_invalid.log";
  const CommandResult run = Ebb("logstat --json " + path);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["lines"], 3);
  EXPECT_EQ(j["parsed"], 2);
  EXPECT_EQ(j["invalid"], 1);
  EXPECT_NE(run.err.find(path + ":2: invalid line"), std::string::npos) << run.err;
}

TEST_F(LogstatCliTest, TableAndPerSecondTrace) {
  const fs::path csv = dir_ / "trace.csv";
  const CommandResult run = Ebb("logstat --sla-ms 100 --per-second " + csv.string() + " " + kNo7dw);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("finance_invest_server"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("SLA 100 ms"), std::string::npos) << run.out;
  const std::string text = ReadFile(csv);
  ASSERT_EQ(text.rfind("unix_time,requests\n", 0), 0u);
  std::istringstream lines(text.substr(19));
  std::string line;
  std::int64_t last = 0, total = 0;
  while (std::getline(lines, line)) {
    const std::size_t comma = line.find(',');
    const std::int64_t t = std::stoll(line.substr(0, comma));
    EXPECT_GT(t, last);
    last = t;
    total += std::stoll(line.substr(comma + 1));
  }
  const auto j = nlohmann::json::parse(Ebb("logstat --json " + kNo7dw).out);
  EXPECT_EQ(total, j["parsed"].get<std::int64_t>());
  // 2014-12-24 00:30:53 read as UTC.
  EXPECT_EQ(text.substr(19, 11), "1419381053,");
  EXPECT_FALSE(fs::exists(dir_ / "trace.csv.tmp"));
}

TEST_F(LogstatCliTest, MissingFileFailsWithAClearMessage) {
  const CommandResult run = Ebb("logstat --json " + (dir_ / "nope.log").string());
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(run.out.empty());
  EXPECT_NE(run.err.find("nope.log: cannot open: No such file or directory"), std::string::npos)
      << run.err;
}

TEST_F(LogstatCliTest, UnknownFlagAndMissingFileArgumentFail) {
  EXPECT_NE(Ebb("logstat --frobnicate " + kNo7dw).exit_code, 0);
  EXPECT_NE(Ebb("logstat").exit_code, 0);
  EXPECT_NE(Ebb("logstat --sla-ms -5 " + kNo7dw).exit_code, 0);
}

TEST_F(LogstatCliTest, HelpSaysUtc) {
  const CommandResult run = Ebb("logstat --help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("UTC"), std::string::npos);
}

}  // namespace
