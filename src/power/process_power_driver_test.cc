#include "power/process_power_driver.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <charconv>
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
  core::Result<CommandTemplate> t = CommandTemplate::Parse("power.on", argv);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : CommandTemplate();
}

// The pid in a node's pid file; -1 without one.
pid_t PidFromFile(const std::string& path) {
  const std::string text = testing::ReadFile(path);
  pid_t pid = -1;
  std::from_chars(text.data(), text.data() + text.size(), pid);
  return pid;
}

// Node processes started by a driver in this test process are its children: reap them here, as
// init would for a daemon that is gone.
bool Gone(pid_t pid) {
  waitpid(pid, nullptr, WNOHANG);
  return kill(pid, 0) != 0 && errno == ESRCH;
}

// Kills what a failed test may have left behind.
class ProcessPowerDriverTest : public ::testing::Test {
 protected:
  ProcessPowerDriverOptions Options(Argv on) {
    return {.on = Template(on),
            .run_dir = (dir_ / "run").string(),
            .stop_timeout_s = 5,
            .start_confirm_s = 0.2};
  }
  std::unique_ptr<ProcessPowerDriver> Make(ProcessPowerDriverOptions options) {
    core::Result<std::unique_ptr<ProcessPowerDriver>> d =
        ProcessPowerDriver::Create(std::move(options), clock_);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  void TearDown() override {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "run", ec)) {
      if (entry.path().extension() != ".pid") continue;
      const pid_t pid = PidFromFile(entry.path().string());
      if (pid > 0) kill(-pid, SIGKILL);
    }
  }

  SteadyClock clock_;
  testing::TestDir dir_{"ebb_process"};
  const core::NodeSpec web1_ = {.name = "web1", .host = "127.0.0.1", .port = 18080};
};

TEST_F(ProcessPowerDriverTest, StartsAndStopsANodeProcess) {
  std::unique_ptr<ProcessPowerDriver> driver =
      Make(Options({"/bin/sh", "-c", "echo serving {node} on {port}; exec sleep 1000"}));
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->QueryStatus(0, web1_), PowerStatus::kOff);
  driver->Start(0, web1_, PowerAction::kOn);
  std::vector<PowerCompletion> on = WaitForCompletions(*driver, 1);
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0].action, PowerAction::kOn);
  ASSERT_TRUE(on[0].status.ok()) << on[0].status.ToString();

  const pid_t pid = PidFromFile(driver->PidPath("web1"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(getsid(pid), pid) << "a node process leads its own session";
  EXPECT_EQ(driver->QueryStatus(0, web1_), PowerStatus::kOn);
  EXPECT_TRUE(WaitUntil(
      [&] { return testing::ReadFile(driver->LogPath("web1")) == "serving web1 on 18080\n"; }));

  // Already on: completes at once, no second process.
  driver->Start(0, web1_, PowerAction::kOn);
  std::vector<PowerCompletion> again;
  driver->TakeCompletions(again);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_TRUE(again[0].status.ok());
  EXPECT_EQ(PidFromFile(driver->PidPath("web1")), pid);

  driver->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(*driver, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].action, PowerAction::kOff);
  EXPECT_TRUE(off[0].status.ok()) << off[0].status.ToString();
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid); }));
  EXPECT_FALSE(std::filesystem::exists(driver->PidPath("web1")));
  EXPECT_EQ(driver->QueryStatus(0, web1_), PowerStatus::kOff);

  // Already off: completes at once.
  driver->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off_again;
  driver->TakeCompletions(off_again);
  ASSERT_EQ(off_again.size(), 1u);
  EXPECT_TRUE(off_again[0].status.ok());
}

TEST_F(ProcessPowerDriverTest, SigkillWhenSigtermIsIgnored) {
  ProcessPowerDriverOptions options = Options({"/bin/sh", "-c", "trap '' TERM; sleep 1000"});
  options.stop_timeout_s = 0.5;
  std::unique_ptr<ProcessPowerDriver> driver = Make(std::move(options));
  ASSERT_NE(driver, nullptr);
  driver->Start(0, web1_, PowerAction::kOn);
  std::vector<PowerCompletion> on = WaitForCompletions(*driver, 1);
  ASSERT_EQ(on.size(), 1u);
  ASSERT_TRUE(on[0].status.ok()) << on[0].status.ToString();
  const pid_t pid = PidFromFile(driver->PidPath("web1"));

  const double start = clock_.Now();
  driver->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(*driver, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_TRUE(off[0].status.ok()) << off[0].status.ToString();
  EXPECT_GE(clock_.Now() - start, 0.5) << "SIGKILL only after stop_timeout_s";
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid); }));
  // The shell's sleep was in the same process group and went with it.
  EXPECT_TRUE(WaitUntil([&] { return kill(-pid, 0) != 0; }));
}

TEST_F(ProcessPowerDriverTest, ARestartedDriverAdoptsAndStopsTheProcess) {
  pid_t pid = -1;
  {
    std::unique_ptr<ProcessPowerDriver> first = Make(Options({"/bin/sleep", "1000"}));
    ASSERT_NE(first, nullptr);
    first->Start(0, web1_, PowerAction::kOn);
    std::vector<PowerCompletion> on = WaitForCompletions(*first, 1);
    ASSERT_EQ(on.size(), 1u);
    ASSERT_TRUE(on[0].status.ok()) << on[0].status.ToString();
    pid = PidFromFile(first->PidPath("web1"));
  }
  ASSERT_GT(pid, 0);
  EXPECT_EQ(kill(pid, 0), 0) << "the destructor must leave node processes running";

  std::unique_ptr<ProcessPowerDriver> second = Make(Options({"/bin/sleep", "1000"}));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->QueryStatus(4, web1_), PowerStatus::kOn);
  second->Start(4, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(*second, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_TRUE(off[0].status.ok()) << off[0].status.ToString();
  // Not our child: init reaps it, so wait for it to disappear.
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid); }));
  EXPECT_FALSE(std::filesystem::exists(second->PidPath("web1")));
}

TEST_F(ProcessPowerDriverTest, NodeProcessSurvivesAKilledDaemon) {
  const ProcessPowerDriverOptions options = Options({"/bin/sleep", "1000"});
  const std::string run_dir = options.run_dir;
  const pid_t daemon = fork();
  ASSERT_GE(daemon, 0);
  if (daemon == 0) {
    // The "daemon": start the node, then die without any cleanup.
    SteadyClock clock;
    core::Result<std::unique_ptr<ProcessPowerDriver>> driver = ProcessPowerDriver::Create(
        {.on = Template({"/bin/sleep", "1000"}), .run_dir = run_dir, .start_confirm_s = 0.2},
        clock);
    if (!driver.ok()) _exit(2);
    (*driver)->Start(0, web1_, PowerAction::kOn);
    std::vector<PowerCompletion> on = WaitForCompletions(**driver, 1);
    if (on.size() != 1 || !on[0].status.ok()) _exit(3);
    raise(SIGKILL);
    _exit(4);
  }
  int status = 0;
  ASSERT_EQ(waitpid(daemon, &status, 0), daemon);
  ASSERT_TRUE(WIFSIGNALED(status)) << "daemon exited with " << WEXITSTATUS(status);

  std::unique_ptr<ProcessPowerDriver> restarted = Make(options);
  ASSERT_NE(restarted, nullptr);
  const pid_t pid = PidFromFile(restarted->PidPath("web1"));
  ASSERT_GT(pid, 0);
  EXPECT_EQ(restarted->QueryStatus(0, web1_), PowerStatus::kOn);
  restarted->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(*restarted, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_TRUE(off[0].status.ok()) << off[0].status.ToString();
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid); }));
}

TEST_F(ProcessPowerDriverTest, AReusedPidIsNeverAdopted) {
  std::unique_ptr<ProcessPowerDriver> driver = Make(Options({"/bin/sleep", "1000"}));
  ASSERT_NE(driver, nullptr);
  // A pid file naming this test process: alive, but not the recorded program.
  {
    std::ofstream out(driver->PidPath("web1"), std::ios::binary);
    out << getpid() << "\n"
        << 12345 << "\n"
        << std::string(
               "/bin/sleep\0"
               "1000\0",
               16);
  }
  EXPECT_EQ(driver->QueryStatus(0, web1_), PowerStatus::kOff);
  EXPECT_FALSE(std::filesystem::exists(driver->PidPath("web1"))) << "a stale pid file is removed";

  // A pid file that is not ours is left alone and reported as unknown.
  {
    std::ofstream out(driver->PidPath("web1"));
    out << "not a pid file\n";
  }
  EXPECT_EQ(driver->QueryStatus(0, web1_), PowerStatus::kUnknown);
  driver->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> out;
  driver->TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(out[0].status.message(), HasSubstr("not an ebb pid file"));
}

TEST_F(ProcessPowerDriverTest, AProgramThatCannotRunFailsTheStart) {
  std::unique_ptr<ProcessPowerDriver> driver = Make(Options({"ebb-no-such-server", "{port}"}));
  ASSERT_NE(driver, nullptr);
  driver->Start(0, web1_, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(*driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(out[0].status.message(),
              HasSubstr("node web1: power on: cannot run ebb-no-such-server"));
  EXPECT_FALSE(std::filesystem::exists(driver->PidPath("web1")));
}

TEST_F(ProcessPowerDriverTest, AProcessThatExitsAtOnceFailsTheStart) {
  ProcessPowerDriverOptions options = Options({"/bin/sh", "-c", "echo port {port} in use; exit 3"});
  options.start_confirm_s = 5;  // far longer than the shell takes to exit
  std::unique_ptr<ProcessPowerDriver> driver = Make(std::move(options));
  ASSERT_NE(driver, nullptr);
  driver->Start(0, web1_, PowerAction::kOn);
  std::vector<PowerCompletion> out = WaitForCompletions(*driver, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(out[0].status.message(), HasSubstr("/bin/sh ended (exit code 3) within 5 s"));
  EXPECT_THAT(out[0].status.message(), HasSubstr("its log ends: port 18080 in use"));
  EXPECT_FALSE(std::filesystem::exists(driver->PidPath("web1")));
}

TEST_F(ProcessPowerDriverTest, AnOffTemplateRunsInsteadOfSigterm) {
  ProcessPowerDriverOptions options = Options({"/bin/sleep", "1000"});
  // The off command asks the node to stop (here: by signal, as an HTTP /quit would).
  options.off =
      Template({"/bin/sh", "-c", "kill -INT $(head -n 1 " + options.run_dir + "/{node}.pid)"});
  std::unique_ptr<ProcessPowerDriver> driver = Make(std::move(options));
  ASSERT_NE(driver, nullptr);
  driver->Start(0, web1_, PowerAction::kOn);
  ASSERT_EQ(WaitForCompletions(*driver, 1).size(), 1u);
  const pid_t pid = PidFromFile(driver->PidPath("web1"));
  ASSERT_GT(pid, 0);
  driver->Start(0, web1_, PowerAction::kOff);
  std::vector<PowerCompletion> off = WaitForCompletions(*driver, 1);
  ASSERT_EQ(off.size(), 1u);
  EXPECT_TRUE(off[0].status.ok()) << off[0].status.ToString();
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid); }));
}

TEST_F(ProcessPowerDriverTest, StopAllStopsTrackedAndFoundProcesses) {
  std::unique_ptr<ProcessPowerDriver> first = Make(Options({"/bin/sleep", "1000"}));
  ASSERT_NE(first, nullptr);
  const core::NodeSpec web2 = {.name = "web2"};
  first->Start(0, web1_, PowerAction::kOn);
  first->Start(1, web2, PowerAction::kOn);
  ASSERT_EQ(WaitForCompletions(*first, 2).size(), 2u);
  const pid_t pid1 = PidFromFile(first->PidPath("web1"));
  const pid_t pid2 = PidFromFile(first->PidPath("web2"));
  first.reset();

  std::unique_ptr<ProcessPowerDriver> second = Make(Options({"/bin/sleep", "1000"}));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->QueryStatus(0, web1_), PowerStatus::kOn);  // web1 tracked, web2 only on disk
  core::Status stopped = second->StopAll();
  EXPECT_TRUE(stopped.ok()) << stopped.ToString();
  EXPECT_TRUE(WaitUntil([&] { return Gone(pid1) && Gone(pid2); }));
  EXPECT_FALSE(std::filesystem::exists(second->PidPath("web1")));
  EXPECT_FALSE(std::filesystem::exists(second->PidPath("web2")));
}

TEST_F(ProcessPowerDriverTest, RejectsNamesThatAreNotFileNames) {
  std::unique_ptr<ProcessPowerDriver> driver = Make(Options({"/bin/sleep", "1000"}));
  ASSERT_NE(driver, nullptr);
  driver->Start(0, {.name = "../web1"}, PowerAction::kOn);
  std::vector<PowerCompletion> out;
  driver->TakeCompletions(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(CheckProcessNodeName("").ok());
  EXPECT_FALSE(CheckProcessNodeName("..").ok());
  EXPECT_TRUE(CheckProcessNodeName("web-1.lan").ok());
}

TEST(ProcessPowerDriverCreateTest, NeedsARunDir) {
  SteadyClock clock;
  core::Result<std::unique_ptr<ProcessPowerDriver>> d =
      ProcessPowerDriver::Create({.on = Template({"/bin/true"})}, clock);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.status().message(), HasSubstr("power.run_dir"));
  core::Result<std::unique_ptr<ProcessPowerDriver>> file =
      ProcessPowerDriver::Create({.on = Template({"/bin/true"}), .run_dir = "/dev/null/x"}, clock);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("power.run_dir: cannot create /dev/null/x"));
}

}  // namespace
}  // namespace ebb::power
