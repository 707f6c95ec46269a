#include "tools/compare/run_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include <gtest/gtest.h>

namespace ebb::compare {
namespace {

power::ChildOptions Shell(const std::string& script) {
  return {.argv = {"/bin/sh", "-c", script}, .capture_stderr = power::StderrCapture::kYes};
}

TEST(RunPoolTest, FailuresAreOutcomesAndTheOthersStillRun) {
  std::vector<std::size_t> order;
  const std::vector<RunOutcome> outcomes =
      RunAll({Shell("exit 0"),
              Shell("echo broken trace >&2; exit 3"),
              Shell("exit 0"),
              {.argv = {"/nonexistent/program"}}},
             2, [&order](std::size_t i, const RunOutcome&) { order.push_back(i); });
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_TRUE(outcomes[0].succeeded);
  EXPECT_FALSE(outcomes[1].succeeded);
  EXPECT_NE(outcomes[1].failure.find("exit code 3"), std::string::npos) << outcomes[1].failure;
  EXPECT_NE(outcomes[1].failure.find("broken trace"), std::string::npos) << outcomes[1].failure;
  EXPECT_TRUE(outcomes[2].succeeded);
  EXPECT_FALSE(outcomes[3].succeeded);
  EXPECT_FALSE(outcomes[3].failure.empty());
  std::sort(order.begin(), order.end());
  EXPECT_EQ(order, (std::vector<std::size_t>{0, 1, 2, 3}));
}

TEST(RunPoolTest, RunsAtMostJobsAtOnce) {
  // Each child holds a lock file while it runs; a second holder at the same time fails.
  const std::string lock = ::testing::TempDir() + "ebb_run_pool_lock";
  std::remove(lock.c_str());
  const std::string script =
      "set -C; (: > " + lock + ") 2>/dev/null || exit 9; sleep 0.2; rm -f " + lock;
  std::vector<power::ChildOptions> commands(4, Shell(script));
  for (const RunOutcome& outcome : RunAll(commands, 1)) {
    EXPECT_TRUE(outcome.succeeded) << outcome.failure;
    EXPECT_GE(outcome.wall_s, 0.15);
  }
  // With four at once, three find the lock taken: the check can fail.
  int collisions = 0;
  for (const RunOutcome& outcome : RunAll(commands, 4)) collisions += outcome.succeeded ? 0 : 1;
  EXPECT_GE(collisions, 1);
  std::remove(lock.c_str());
}

TEST(RunPoolTest, StopTerminatesTheRunningAndStartsNoMore) {
  std::atomic<bool> stop{false};
  std::thread interrupt([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    stop = true;
  });
  const auto started = std::chrono::steady_clock::now();
  const std::vector<RunOutcome> outcomes =
      RunAll({Shell("sleep 30"), Shell("exit 0"), Shell("exit 0")}, 1, {}, &stop);
  interrupt.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_FALSE(outcomes[0].succeeded);
  EXPECT_NE(outcomes[0].failure.find("SIGTERM"), std::string::npos) << outcomes[0].failure;
  for (std::size_t i : {1, 2}) {
    EXPECT_FALSE(outcomes[i].succeeded);
    EXPECT_EQ(outcomes[i].failure, "not started: interrupted");
  }
}

}  // namespace
}  // namespace ebb::compare
