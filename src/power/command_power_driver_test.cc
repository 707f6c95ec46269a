#include "power/command_power_driver.h"

#include <sys/stat.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "power/power_test_util.h"
#include "testing/command.h"

namespace ebb::power {
namespace {

using ::testing::HasSubstr;

using Argv = std::vector<std::string>;

CommandTemplate Template(const Argv& argv) {
  core::Result<CommandTemplate> t = CommandTemplate::Parse("power.test", argv);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : CommandTemplate();
}

const core::NodeSpec kWeb1 = {.name = "web1", .host = "10.0.0.5", .port = 8080};

TEST(CommandPowerDriverTest, ExitZeroCompletesAndNonZeroFails) {
  SteadyClock clock;
  CommandPowerDriver driver({.on = Template({"/bin/true"}), .off = Template({"/bin/false"})},
                            clock);
  driver.Start(3, kWeb1, PowerAction::kOn);
  std::vector<PowerCompletion> on = WaitForCompletions(driver, 1);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0].node, 3);
  EXPECT_EQ(on[0].action, PowerAction::kOn);
  EXPECT_TRUE(on[0].status.ok()) << on[0].status.ToString();

  driver.Start(3, kWeb1, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(driver, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].action, PowerAction::kOff);
  EXPECT_EQ(off[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_EQ(off[0].status.message(), "node web1: power off: /bin/false failed with exit code 1");
}

TEST(CommandPowerDriverTest, FailureQuotesTheEndOfStderr) {
  SteadyClock clock;
  CommandPowerDriver driver(
      {.on = Template(
           {"/bin/sh", "-c", "echo 'Unable to establish IPMI v2 / RMCP+ session' >&2; exit 1"}),
       .off = Template({"/bin/true"})},
      clock);
  driver.Start(0, kWeb1, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.message(),
            "node web1: power on: /bin/sh failed with exit code 1: Unable to establish IPMI v2 / "
            "RMCP+ session");
}

TEST(CommandPowerDriverTest, ArgumentsArriveAsTemplatedWithoutAShell) {
  SteadyClock clock;
  testing::TestDir dir("ebb_command");
  const std::string script = (dir / "record.sh").string();
  const std::string record = (dir / "argv.txt").string();
  const std::string injected = (dir / "injected").string();
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n{ echo \"$#\"; for a in \"$@\"; do printf '[%s]\\n' \"$a\"; done; } > "
        << record << "\n";
  }
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  CommandPowerDriver driver(
      {.on = Template({script, "--host", "{host}", "{node}:{port}"}), .off = Template({"true"})},
      clock);
  const core::NodeSpec hostile = {
      .name = "web1", .host = "a b;touch " + injected + " $(id)", .port = 80};
  driver.Start(0, hostile, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 1);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  EXPECT_EQ(testing::ReadFile(record),
            "3\n[--host]\n[a b;touch " + injected + " $(id)]\n[web1:80]\n");
  EXPECT_FALSE(std::filesystem::exists(injected));
}

TEST(CommandPowerDriverTest, HungCommandTimesOutAndIsKilled) {
  SteadyClock clock;
  CommandPowerDriver driver({.on = Template({"/bin/sleep", "30"}),
                             .off = Template({"/bin/true"}),
                             .timeout_s = 0.3,
                             .kill_grace_s = 1},
                            clock);
  const double start = clock.Now();
  driver.Start(0, kWeb1, PowerAction::kOn);
  EXPECT_LT(clock.Now() - start, 1.0) << "Start() must not wait for the command";
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(out[0].status.message(),
            "node web1: power on: /bin/sleep timed out after 0.3 s (killed by SIGTERM)");
}

TEST(CommandPowerDriverTest, MissingProgramIsAFailedCompletion) {
  SteadyClock clock;
  CommandPowerDriver driver(
      {.on = Template({"ebb-no-such-ipmitool", "{host}"}), .off = Template({"/bin/true"})}, clock);
  driver.Start(0, kWeb1, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(out[0].status.message(),
              HasSubstr("node web1: power on: cannot run ebb-no-such-ipmitool"));
}

TEST(CommandPowerDriverTest, MissingNodeValueFailsWithoutRunning) {
  SteadyClock clock;
  CommandPowerDriver driver({.on = Template({"wakeonlan", "{mac}"}), .off = Template({"true"})},
                            clock);
  driver.Start(0, kWeb1, PowerAction::kOn);
  std::vector<PowerCompletion> out;
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(out[0].status.message(), HasSubstr("node web1 has no mac, needed by {mac}"));
}

TEST(CommandPowerDriverTest, ASecondRequestWaitsForTheNodesRunningCommand) {
  SteadyClock clock;
  testing::TestDir dir("ebb_command");
  const std::string log = (dir / "order.txt").string();
  CommandPowerDriver driver(
      {.on = Template(
           {"/bin/sh", "-c", "echo on-start >> " + log + "; sleep 0.3; echo on-end >> " + log}),
       .off = Template({"/bin/sh", "-c", "echo off-{node} >> " + log})},
      clock);
  const core::NodeSpec web2 = {.name = "web2"};
  driver.Start(0, kWeb1, PowerAction::kOn);
  driver.Start(0, kWeb1, PowerAction::kOff);
  driver.Start(1, web2, PowerAction::kOff);  // another node does not wait
  std::vector<PowerCompletion> out = WaitForCompletions(driver, 3);
  ASSERT_EQ(out.size(), 3u);
  for (const PowerCompletion& c : out) EXPECT_TRUE(c.status.ok()) << c.status.ToString();
  std::vector<std::pair<core::NodeId, PowerAction>> web1;
  for (const PowerCompletion& c : out) {
    if (c.node == 0) web1.emplace_back(c.node, c.action);
  }
  ASSERT_EQ(web1.size(), 2u);
  EXPECT_EQ(web1[0].second, PowerAction::kOn);
  EXPECT_EQ(web1[1].second, PowerAction::kOff);
  const std::string order = testing::ReadFile(log);
  EXPECT_NE(order.find("on-end\noff-web1\n"), std::string::npos) << order;
  EXPECT_NE(order.find("off-web2"), std::string::npos) << order;
}

TEST(CommandPowerDriverTest, QueryStatusMapsTheExitCode) {
  struct Row {
    Argv status;
    PowerStatus expected;
  };
  const std::vector<Row> rows = {
      {{"/bin/sh", "-c", "exit 0"}, PowerStatus::kOn},
      {{"/bin/sh", "-c", "exit 3"}, PowerStatus::kOff},
      {{"/bin/sh", "-c", "exit 1"}, PowerStatus::kUnknown},
      {{"/bin/sh", "-c", "exit 255"}, PowerStatus::kUnknown},
      {{"/bin/sh", "-c", "kill -9 $$"}, PowerStatus::kUnknown},
      {{"/bin/sleep", "30"}, PowerStatus::kUnknown},  // timed out
      {{"ebb-no-such-status"}, PowerStatus::kUnknown},
      {{"echo", "{mac}"}, PowerStatus::kUnknown},  // the node has no mac
  };
  SteadyClock clock;
  for (const Row& row : rows) {
    CommandPowerDriver driver({.on = Template({"true"}),
                               .off = Template({"true"}),
                               .status = Template(row.status),
                               .timeout_s = 0.3,
                               .kill_grace_s = 1},
                              clock);
    EXPECT_EQ(driver.QueryStatus(0, kWeb1), row.expected) << QuoteArgv(row.status);
  }
  CommandPowerDriver no_status({.on = Template({"true"}), .off = Template({"true"})}, clock);
  EXPECT_EQ(no_status.QueryStatus(0, kWeb1), PowerStatus::kUnknown);
}

TEST(CommandPowerDriverTest, DescribesTheCommandLine) {
  SteadyClock clock;
  CommandPowerDriver driver({.on = Template({"ssh", "{host}", "echo", "a b"}),
                             .off = Template({"ssh", "{host}", "sudo", "poweroff"})},
                            clock);
  EXPECT_EQ(driver.DescribeCommand(kWeb1, PowerAction::kOn), "ssh 10.0.0.5 echo 'a b'");
  EXPECT_EQ(driver.DescribeCommand(kWeb1, PowerAction::kOff), "ssh 10.0.0.5 sudo poweroff");
}

TEST(CommandPowerDriverTest, DestroyingTheDriverKillsRunningCommands) {
  SteadyClock clock;
  testing::TestDir dir("ebb_command");
  const std::string pid_file = (dir / "pid").string();
  {
    CommandPowerDriver driver(
        {.on = Template({"/bin/sh", "-c", "echo $$ > " + pid_file + "; exec sleep 30"}),
         .off = Template({"true"})},
        clock);
    driver.Start(0, kWeb1, PowerAction::kOn);
    ASSERT_TRUE(
        WaitUntil([&] { return testing::ReadFile(pid_file).find('\n') != std::string::npos; }));
  }
  const pid_t pid = std::stoi(testing::ReadFile(pid_file));
  EXPECT_NE(kill(pid, 0), 0);
}

}  // namespace
}  // namespace ebb::power
