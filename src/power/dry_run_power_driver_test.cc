#include "power/dry_run_power_driver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "power/command_power_driver.h"
#include "power/power_test_util.h"

namespace ebb::power {
namespace {

using ::testing::ElementsAre;

CommandTemplate Template(const std::string& line) {
  core::Result<CommandTemplate> t = CommandTemplate::ParseString("power.test", line);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : CommandTemplate();
}

const core::NodeSpec kWeb1 = {.name = "web1", .bmc = "10.0.1.5", .boot_s = 60, .shutdown_s = 10};
const core::NodeSpec kWeb2 = {.name = "web2", .bmc = "10.0.1.6", .boot_s = 30, .shutdown_s = 10};

TEST(DryRunPowerDriverTest, CompletesAfterTheNodesTimingsAndRunsNothing) {
  ManualClock clock;
  std::vector<std::string> logged;
  auto real = std::make_unique<CommandPowerDriver>(
      CommandPowerDriverOptions{.on = Template("ebb-no-such-ipmitool -H {bmc} chassis power on"),
                                .off = Template("ebb-no-such-ipmitool -H {bmc} chassis power off")},
      clock);
  DryRunPowerDriver driver(clock, std::move(real),
                           [&](std::string_view line) { logged.emplace_back(line); });

  driver.Start(0, kWeb1, PowerAction::kOn);
  driver.Start(1, kWeb2, PowerAction::kOn);
  EXPECT_THAT(logged, ElementsAre("dry run: power on web1: ebb-no-such-ipmitool -H 10.0.1.5 "
                                  "chassis power on",
                                  "dry run: power on web2: ebb-no-such-ipmitool -H 10.0.1.6 "
                                  "chassis power on"));
  EXPECT_EQ(driver.commands(), logged);

  std::vector<PowerCompletion> out;
  clock.Advance(29.9);
  driver.TakeCompletions(out);
  EXPECT_TRUE(out.empty());
  clock.Advance(0.1);
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].node, 1);
  EXPECT_TRUE(out[0].status.ok()) << "the real command (which does not exist) never ran";
  clock.Advance(30);
  driver.Start(1, kWeb2, PowerAction::kOff);
  out.clear();
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].node, 0);
  EXPECT_EQ(out[0].action, PowerAction::kOn);
  clock.Advance(10);
  out.clear();
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].node, 1);
  EXPECT_EQ(out[0].action, PowerAction::kOff);
}

TEST(DryRunPowerDriverTest, SimultaneousCompletionsKeepTheirOrder) {
  ManualClock clock;
  DryRunPowerDriver driver(clock, nullptr);
  for (core::NodeId id = 0; id < 5; ++id) {
    driver.Start(id, {.name = "n" + std::to_string(id), .shutdown_s = 0}, PowerAction::kOff);
  }
  std::vector<PowerCompletion> out;
  driver.TakeCompletions(out);
  ASSERT_EQ(out.size(), 5u);
  for (core::NodeId id = 0; id < 5; ++id) EXPECT_EQ(out[id].node, id);
  EXPECT_EQ(driver.commands()[0], "dry run: power off n0: off n0");
}

TEST(DryRunPowerDriverTest, QueryStatusAsksTheRealDriver) {
  ManualClock clock;
  auto real = std::make_unique<CommandPowerDriver>(
      CommandPowerDriverOptions{.on = Template("true"),
                                .off = Template("true"),
                                .status = Template("sh -c 'exit 3'"),
                                .timeout_s = 10},
      clock);
  DryRunPowerDriver driver(clock, std::move(real));
  EXPECT_EQ(driver.QueryStatus(0, kWeb1), PowerStatus::kOff);
  DryRunPowerDriver alone(clock, nullptr);
  EXPECT_EQ(alone.QueryStatus(0, kWeb1), PowerStatus::kUnknown);
}

}  // namespace
}  // namespace ebb::power
