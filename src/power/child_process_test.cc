#include "power/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "power/power_test_util.h"
#include "testing/command.h"

namespace ebb::power {
namespace {

using ::testing::HasSubstr;

// Polls the child until it exits; bounded.
std::optional<ExitStatus> WaitForExit(ChildProcess& child, double limit_s = 20) {
  std::optional<ExitStatus> exit;
  WaitUntil([&] { return (exit = child.Poll()).has_value(); }, limit_s);
  return exit;
}

std::unique_ptr<ChildProcess> SpawnOrDie(ChildOptions options, const core::Clock& clock) {
  core::Result<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Spawn(std::move(options), clock);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  return child.ok() ? std::move(child).value() : nullptr;
}

TEST(ChildProcessTest, ReportsExitCodes) {
  SteadyClock clock;
  for (const auto& [program, code] : {std::pair{"/bin/true", 0}, std::pair{"/bin/false", 1}}) {
    std::unique_ptr<ChildProcess> child = SpawnOrDie({.argv = {program}}, clock);
    ASSERT_NE(child, nullptr);
    std::optional<ExitStatus> exit = WaitForExit(*child);
    ASSERT_TRUE(exit.has_value()) << program;
    EXPECT_EQ(exit->kind, ExitStatus::Kind::kExited);
    EXPECT_EQ(exit->value, code);
    EXPECT_EQ(exit->Succeeded(), code == 0);
    EXPECT_FALSE(child->timed_out());
    // The status stays once reaped.
    EXPECT_EQ(child->Poll()->value, code);
  }
}

TEST(ChildProcessTest, LooksUpThePathAndReportsAMissingProgram) {
  SteadyClock clock;
  std::unique_ptr<ChildProcess> child = SpawnOrDie({.argv = {"true"}}, clock);
  ASSERT_NE(child, nullptr);
  EXPECT_TRUE(WaitForExit(*child)->Succeeded());

  core::Result<std::unique_ptr<ChildProcess>> missing =
      ChildProcess::Spawn({.argv = {"ebb-no-such-program", "x"}}, clock);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kUnavailable);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("cannot run ebb-no-such-program: No such file or directory"));
}

TEST(ChildProcessTest, TimeoutSendsSigtermToTheGroup) {
  SteadyClock clock;
  std::unique_ptr<ChildProcess> child =
      SpawnOrDie({.argv = {"/bin/sleep", "30"}, .timeout_s = 0.3, .kill_grace_s = 10}, clock);
  ASSERT_NE(child, nullptr);
  std::optional<ExitStatus> exit = WaitForExit(*child);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(child->timed_out());
  EXPECT_EQ(exit->kind, ExitStatus::Kind::kSignaled);
  EXPECT_EQ(exit->value, SIGTERM);
  EXPECT_EQ(exit->ToString(), "killed by SIGTERM");
}

TEST(ChildProcessTest, SigkillFollowsWhenSigtermIsIgnored) {
  SteadyClock clock;
  const double start = clock.Now();
  std::unique_ptr<ChildProcess> child = SpawnOrDie(
      {.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 30"}, .timeout_s = 0.2, .kill_grace_s = 0.3},
      clock);
  ASSERT_NE(child, nullptr);
  std::optional<ExitStatus> exit = WaitForExit(*child);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(child->timed_out());
  EXPECT_EQ(exit->kind, ExitStatus::Kind::kSignaled);
  EXPECT_EQ(exit->value, SIGKILL);
  EXPECT_GE(clock.Now() - start, 0.5);
}

TEST(ChildProcessTest, TerminateStopsTheWholeGroup) {
  SteadyClock clock;
  testing::TestDir dir("ebb_child");
  const std::string pid_file = (dir / "grandchild.pid").string();
  // The shell starts a grandchild in the same group and waits for it.
  std::unique_ptr<ChildProcess> child =
      SpawnOrDie({.argv = {"/bin/sh", "-c", "sleep 30 & echo $! > " + pid_file + "; wait"}}, clock);
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(
      WaitUntil([&] { return testing::ReadFile(pid_file).find('\n') != std::string::npos; }));
  const pid_t grandchild = std::stoi(testing::ReadFile(pid_file));
  EXPECT_EQ(getpgid(child->pid()), child->pid());
  EXPECT_EQ(getpgid(grandchild), child->pid());
  child->Terminate(10);
  ASSERT_TRUE(WaitForExit(*child).has_value());
  // The grandchild was reparented; it is gone once init reaped it.
  EXPECT_TRUE(WaitUntil([&] { return kill(grandchild, 0) != 0 && errno == ESRCH; }));
}

TEST(ChildProcessTest, NewSessionLeadsItsOwnSession) {
  SteadyClock clock;
  std::unique_ptr<ChildProcess> child =
      SpawnOrDie({.argv = {"/bin/sleep", "30"}, .grouping = ProcessGrouping::kNewSession}, clock);
  ASSERT_NE(child, nullptr);
  EXPECT_EQ(getsid(child->pid()), child->pid());
  EXPECT_NE(getsid(child->pid()), getsid(0));
  child->Terminate(10);
  ASSERT_TRUE(WaitForExit(*child).has_value());
}

TEST(ChildProcessTest, CapturesTheEndOfStderr) {
  SteadyClock clock;
  std::unique_ptr<ChildProcess> child =
      SpawnOrDie({.argv = {"/bin/sh", "-c",
                           "echo not this >&2; echo; echo 'Error: BMC 10.0.1.5 unreachable' >&2; "
                           "echo 'giving up' >&2; exit 4"},
                  .capture_stderr = StderrCapture::kYes},
                 clock);
  ASSERT_NE(child, nullptr);
  std::optional<ExitStatus> exit = WaitForExit(*child);
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->ToString(), "exit code 4");
  EXPECT_EQ(child->StderrTail(200), "not this | Error: BMC 10.0.1.5 unreachable | giving up");
  EXPECT_EQ(child->StderrTail(45), "Error: BMC 10.0.1.5 unreachable | giving up");
}

TEST(ChildProcessTest, WritesOutputToTheFileAndReadsNothing) {
  SteadyClock clock;
  testing::TestDir dir("ebb_child");
  const std::string out = (dir / "out.log").string();
  std::unique_ptr<ChildProcess> child = SpawnOrDie(
      {.argv = {"/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; read x; echo read=$?"},
       .output_path = out},
      clock);
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(WaitForExit(*child).has_value());
  EXPECT_EQ(testing::ReadFile(out), "to-stdout\nto-stderr\nread=1\n");
}

TEST(ChildProcessTest, InheritsNoDescriptorAndDefaultSignals) {
  SteadyClock clock;
  const int fd = open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(fd, 3);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGTERM, &ignore, &previous), 0);
  std::unique_ptr<ChildProcess> child = SpawnOrDie(
      {.argv = {"/bin/sh", "-c", "test ! -e /proc/self/fd/" + std::to_string(fd) + " && sleep 30"},
       .timeout_s = 0.2},
      clock);
  sigaction(SIGTERM, &previous, nullptr);
  close(fd);
  ASSERT_NE(child, nullptr);
  std::optional<ExitStatus> exit = WaitForExit(*child);
  ASSERT_TRUE(exit.has_value());
  // The descriptor was not there (else exit code 1), and SIGTERM was not ignored.
  EXPECT_EQ(exit->ToString(), "killed by SIGTERM");
}

TEST(ChildProcessTest, DestroyingARunningChildKillsAndReapsIt) {
  SteadyClock clock;
  std::unique_ptr<ChildProcess> child = SpawnOrDie({.argv = {"/bin/sleep", "30"}}, clock);
  ASSERT_NE(child, nullptr);
  const pid_t pid = child->pid();
  child.reset();
  EXPECT_NE(kill(pid, 0), 0);
  EXPECT_EQ(errno, ESRCH);
}

TEST(ChildProcessTest, RunToCompletionIsBounded) {
  core::Result<SyncRunResult> ok = RunToCompletion({.argv = {"/bin/true"}, .timeout_s = 10});
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->exit.Succeeded());
  core::Result<SyncRunResult> hung =
      RunToCompletion({.argv = {"/bin/sleep", "30"}, .timeout_s = 0.2, .kill_grace_s = 1});
  ASSERT_TRUE(hung.ok());
  EXPECT_TRUE(hung->timed_out);
}

TEST(TailLinesTest, KeepsTheLastLinesThatFit) {
  EXPECT_EQ(TailLines("", 10), "");
  EXPECT_EQ(TailLines("\n\n  \n", 10), "");
  EXPECT_EQ(TailLines("a\nb\r\nc  \n", 100), "a | b | c");
  EXPECT_EQ(TailLines("first\nsecond\n", 6), "second");
  EXPECT_EQ(TailLines("0123456789\n", 8), "...56789");
}

}  // namespace
}  // namespace ebb::power
