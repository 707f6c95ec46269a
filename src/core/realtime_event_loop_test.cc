#include "core/realtime_event_loop.h"

#include <signal.h>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::core {
namespace {

TEST(RealtimeEventLoopTest, RunsTimersInTimeOrderOnTheWallClock) {
  RealtimeEventLoop loop;
  std::vector<int> order;
  const Seconds now = loop.Now();
  loop.ScheduleAt(now + 0.03, [&] { order.push_back(3); });
  loop.ScheduleAt(now + 0.01, [&] { order.push_back(1); });
  const TimerId cancelled = loop.ScheduleAt(now + 0.02, [&] { order.push_back(2); });
  loop.Cancel(cancelled);
  loop.ScheduleAt(now + 0.04, [&] { loop.Stop(); });
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(order, std::vector<int>({1, 3}));
  EXPECT_GE(loop.Now(), now + 0.04);
}

// A loop whose every timer is already late (a tick longer than its interval) must still hear a
// signal: the daemon's SIGTERM.
TEST(RealtimeEventLoopTest, ASignalIsHeardBetweenTimersThatAreAlwaysLate) {
  RealtimeEventLoop loop;
  int signals = 0;
  ASSERT_TRUE(loop.HandleSignal(SIGUSR1,
                                [&] {
                                  ++signals;
                                  loop.Stop();
                                })
                  .ok());
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    if (ticks == 3) ::kill(::getpid(), SIGUSR1);
    if (ticks < 10'000) loop.ScheduleAt(loop.Now() - 1, tick);  // always due
  };
  loop.ScheduleAt(loop.Now(), tick);
  ASSERT_TRUE(loop.Run().ok());
  EXPECT_EQ(signals, 1);
  EXPECT_LT(ticks, 10);
}

TEST(RealtimeEventLoopTest, StopFromAnotherThreadWakesTheLoop) {
  RealtimeEventLoop loop;
  loop.ScheduleAfter(3600, [] {});
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    loop.Stop();
  });
  const auto began = std::chrono::steady_clock::now();
  ASSERT_TRUE(loop.Run().ok());
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
}

}  // namespace
}  // namespace ebb::core
