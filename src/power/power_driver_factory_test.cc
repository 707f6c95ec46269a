#include "power/power_driver_factory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "power/power_test_util.h"
#include "testing/command.h"

namespace ebb::power {
namespace {

using ::testing::HasSubstr;

using Argv = std::vector<std::string>;

struct OptionsRow {
  std::string name;
  PowerDriverOptions options;
  std::string error;  // empty: valid
};

const Argv kTrue = {"/bin/true"};

class PowerDriverOptionsTest : public ::testing::TestWithParam<OptionsRow> {};

TEST_P(PowerDriverOptionsTest, Validates) {
  const OptionsRow& row = GetParam();
  core::Status status = ValidatePowerDriverOptions(row.options);
  if (row.error.empty()) {
    EXPECT_TRUE(status.ok()) << status.ToString();
  } else {
    EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
    EXPECT_THAT(status.message(), HasSubstr(row.error));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Rows, PowerDriverOptionsTest,
    ::testing::Values(
        OptionsRow{"Command", {.driver = "command", .on = kTrue, .off = kTrue, .status = kTrue}},
        OptionsRow{"Wol", {.driver = "wol", .off = kTrue}},
        OptionsRow{"Process", {.driver = "process", .on = kTrue, .run_dir = "/tmp/x"}},
        OptionsRow{"UnknownDriver",
                   {.driver = "ipmi", .on = kTrue, .off = kTrue},
                   "power.driver: unknown driver 'ipmi' (known: command, wol, process)"},
        OptionsRow{"NoDriver", {.on = kTrue, .off = kTrue}, "power.driver: unknown driver ''"},
        OptionsRow{"CommandWithoutOff",
                   {.driver = "command", .on = kTrue},
                   "power.off: required by the command driver"},
        OptionsRow{"CommandWithoutOn",
                   {.driver = "command", .off = kTrue},
                   "power.on: required by the command driver"},
        OptionsRow{"UnknownPlaceholder",
                   {.driver = "command", .on = {"ssh", "{hots}", "true"}, .off = kTrue},
                   "power.on: unknown placeholder {hots}"},
        OptionsRow{"BadStatus",
                   {.driver = "command", .on = kTrue, .off = kTrue, .status = {"x", "{mca}"}},
                   "power.status: unknown placeholder {mca}"},
        OptionsRow{"WolWithOn",
                   {.driver = "wol", .on = kTrue, .off = kTrue},
                   "power.on: the wol driver does not use it"},
        OptionsRow{"WolBadAddress",
                   {.driver = "wol", .off = kTrue, .wol_address = "lan"},
                   "power.wol_address: 'lan'"},
        OptionsRow{"WolBadPort", {.driver = "wol", .off = kTrue, .wol_port = 0}, "power.wol_port"},
        OptionsRow{"ProcessWithoutRunDir",
                   {.driver = "process", .on = kTrue},
                   "power.run_dir: required by the process driver"},
        OptionsRow{"ProcessWithStatus",
                   {.driver = "process", .on = kTrue, .status = kTrue, .run_dir = "/tmp/x"},
                   "power.status: the process driver does not use it"},
        OptionsRow{"ZeroTimeout",
                   {.driver = "command", .on = kTrue, .off = kTrue, .timeout_s = 0},
                   "power.timeout_s: 0 is not a positive number of seconds"},
        OptionsRow{"NegativeStopTimeout",
                   {.driver = "process", .on = kTrue, .stop_timeout_s = -1, .run_dir = "/tmp/x"},
                   "power.stop_timeout_s"}),
    [](const ::testing::TestParamInfo<OptionsRow>& row) { return row.param.name; });

TEST(PowerDriverFactoryTest, MakesEachDriver) {
  SteadyClock clock;
  testing::TestDir dir("ebb_factory");
  const core::NodeSpec node = {.name = "web1", .host = "127.0.0.1", .mac = "aa:bb:cc:dd:ee:ff"};
  for (const PowerDriverOptions& options :
       {PowerDriverOptions{.driver = "command", .on = {"/bin/true"}, .off = {"ssh", "{host}"}},
        PowerDriverOptions{.driver = "wol", .off = {"ssh", "{host}", "poweroff"}},
        PowerDriverOptions{
            .driver = "process", .on = {"/bin/sleep", "1"}, .run_dir = (dir / "run").string()}}) {
    core::Result<std::unique_ptr<PowerDriver>> driver = MakePowerDriver(options, clock);
    ASSERT_TRUE(driver.ok()) << options.driver << ": " << driver.status().ToString();
    EXPECT_NE(*driver, nullptr);
    EXPECT_FALSE((*driver)->DescribeCommand(node, PowerAction::kOff).empty());
  }
  EXPECT_TRUE(std::filesystem::is_directory(dir / "run"));

  core::Result<std::unique_ptr<PowerDriver>> bad =
      MakePowerDriver({.driver = "command", .on = {"{hots}"}, .off = {"x"}}, clock);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("power.on: unknown placeholder {hots}"));
}

TEST(PowerDriverFactoryTest, ValidateForNodesNamesTheNodeAndTheSetting) {
  const std::vector<core::NodeSpec> nodes = {
      {.name = "web1", .host = "10.0.0.5", .mac = "aa:bb:cc:dd:ee:01", .bmc = "10.0.1.5"},
      {.name = "web2", .host = "10.0.0.6", .mac = "aa:bb:cc:dd:ee:zz"},
  };
  const PowerDriverOptions ipmi = {
      .driver = "command",
      .on = {"ipmitool", "-H", "{bmc}", "chassis", "power", "on"},
      .off = {"ssh", "{host}", "sudo", "poweroff"},
  };
  EXPECT_TRUE(ValidateForNodes(ipmi, std::span(nodes).first(1)).ok());
  EXPECT_EQ(ValidateForNodes(ipmi, nodes).message(),
            "power.on: node web2 has no bmc, needed by {bmc} in \"ipmitool -H {bmc} chassis power "
            "on\"");

  const PowerDriverOptions wol = {.driver = "wol", .off = {"ssh", "{host}", "sudo", "poweroff"}};
  EXPECT_TRUE(ValidateForNodes(wol, std::span(nodes).first(1)).ok());
  EXPECT_THAT(ValidateForNodes(wol, nodes).message(),
              HasSubstr("node web2: mac: 'aa:bb:cc:dd:ee:zz'"));

  const PowerDriverOptions process = {
      .driver = "process", .on = {"ebb", "testserver", "--port", "{port}"}, .run_dir = "/tmp/x"};
  EXPECT_THAT(ValidateForNodes(process, nodes).message(),
              HasSubstr("power.on: node web1 has no port (1-65535), needed by {port}"));
  const std::vector<core::NodeSpec> slashed = {{.name = "a/b", .port = 8080}};
  EXPECT_THAT(ValidateForNodes(process, slashed).message(), HasSubstr("node 'a/b'"));

  EXPECT_FALSE(ValidateForNodes({.driver = "nope"}, nodes).ok());
}

TEST(PowerDriverFactoryTest, ParseTemplateSettingNamesTheKey) {
  core::Result<Argv> argv = ParseTemplateSetting("power.off", "ssh {host} 'sudo poweroff'");
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(*argv, (Argv{"ssh", "{host}", "sudo poweroff"}));
  core::Result<Argv> bad = ParseTemplateSetting("power.off", "ssh {host} \"sudo poweroff");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("power.off: unbalanced double quote at column 12"));
}

}  // namespace
}  // namespace ebb::power
