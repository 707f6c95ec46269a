#include "core/virtual_event_loop.h"

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ebb::core {
namespace {

using ::testing::ElementsAre;

constexpr Seconds kInf = std::numeric_limits<Seconds>::infinity();

// Each callback appends "name@now" to the log.
class VirtualEventLoopTest : public ::testing::Test {
 protected:
  EventLoop::Callback Log(std::string name) {
    return [this, name] {
      log_.push_back(name + "@" + std::to_string(static_cast<int>(loop_.Now())));
    };
  }

  VirtualEventLoop loop_;
  std::vector<std::string> log_;
};

TEST_F(VirtualEventLoopTest, StartsAtTheGivenTime) {
  EXPECT_EQ(VirtualEventLoop().Now(), 0);
  EXPECT_EQ(VirtualEventLoop(100).Now(), 100);
  EXPECT_TRUE(loop_.Empty());
  EXPECT_EQ(loop_.NextTimerAt(), kInf);
}

TEST_F(VirtualEventLoopTest, RunsInTimeOrder) {
  loop_.ScheduleAt(3, Log("c"));
  loop_.ScheduleAt(1, Log("a"));
  loop_.ScheduleAt(2, Log("b"));
  EXPECT_EQ(loop_.NextTimerAt(), 1);
  EXPECT_EQ(loop_.RunUntil(10), 3u);
  EXPECT_THAT(log_, ElementsAre("a@1", "b@2", "c@3"));
  EXPECT_TRUE(loop_.Empty());
}

TEST_F(VirtualEventLoopTest, SameTimeRunsInSchedulingOrder) {
  loop_.ScheduleAt(5, Log("first"));
  loop_.ScheduleAt(5, Log("second"));
  loop_.ScheduleAt(4, Log("early"));
  loop_.ScheduleAt(5, Log("third"));
  loop_.RunUntil(5);
  EXPECT_THAT(log_, ElementsAre("early@4", "first@5", "second@5", "third@5"));
}

TEST_F(VirtualEventLoopTest, RunUntilIsInclusiveAndLeavesTheClockAtUntil) {
  loop_.ScheduleAt(2, Log("a"));
  loop_.ScheduleAt(7, Log("b"));
  EXPECT_EQ(loop_.RunUntil(2), 1u);
  EXPECT_EQ(loop_.Now(), 2);
  EXPECT_EQ(loop_.RunUntil(6.5), 0u);
  EXPECT_EQ(loop_.Now(), 6.5);
  EXPECT_THAT(log_, ElementsAre("a@2"));
  EXPECT_EQ(loop_.NextTimerAt(), 7);
  EXPECT_FALSE(loop_.Empty());
}

TEST_F(VirtualEventLoopTest, RunUntilInThePastDoesNotMoveTheClockBack) {
  loop_.RunUntil(10);
  EXPECT_EQ(loop_.RunUntil(4), 0u);
  EXPECT_EQ(loop_.Now(), 10);
}

TEST_F(VirtualEventLoopTest, CallbacksSeeTheirOwnTime) {
  std::vector<Seconds> seen;
  loop_.ScheduleAt(1.5, [&] { seen.push_back(loop_.Now()); });
  loop_.ScheduleAt(2.25, [&] { seen.push_back(loop_.Now()); });
  loop_.RunUntil(3);
  EXPECT_THAT(seen, ElementsAre(1.5, 2.25));
}

TEST_F(VirtualEventLoopTest, ScheduleAtInThePastRunsAtNow) {
  loop_.RunUntil(10);
  loop_.ScheduleAt(11, Log("later"));
  loop_.ScheduleAt(3, Log("past"));
  EXPECT_EQ(loop_.NextTimerAt(), 10);
  loop_.RunUntil(10);
  EXPECT_THAT(log_, ElementsAre("past@10"));
  EXPECT_EQ(loop_.Now(), 10);
}

TEST_F(VirtualEventLoopTest, PastTimerRunsAfterTimersAlreadyDueNow) {
  loop_.ScheduleAt(5, Log("due"));
  loop_.AdvanceTo(5);
  loop_.ScheduleAt(1, Log("past"));
  loop_.RunUntil(5);
  EXPECT_THAT(log_, ElementsAre("due@5", "past@5"));
}

TEST_F(VirtualEventLoopTest, ScheduleAfterIsRelativeToNow) {
  loop_.RunUntil(4);
  loop_.ScheduleAfter(2, Log("a"));
  EXPECT_EQ(loop_.NextTimerAt(), 6);
  loop_.RunUntil(100);
  EXPECT_THAT(log_, ElementsAre("a@6"));
}

TEST_F(VirtualEventLoopTest, CancelledTimersDoNotRun) {
  const TimerId a = loop_.ScheduleAt(1, Log("a"));
  loop_.ScheduleAt(2, Log("b"));
  const TimerId c = loop_.ScheduleAt(3, Log("c"));
  EXPECT_NE(a, c);
  loop_.Cancel(a);
  loop_.Cancel(c);
  EXPECT_EQ(loop_.RunUntil(10), 1u);
  EXPECT_THAT(log_, ElementsAre("b@2"));
}

TEST_F(VirtualEventLoopTest, CancelIsANoOpForTimersThatRanOrWereCancelled) {
  const TimerId a = loop_.ScheduleAt(1, Log("a"));
  loop_.RunUntil(1);
  loop_.Cancel(a);
  loop_.Cancel(a);
  loop_.Cancel(12345);
  loop_.ScheduleAt(2, Log("b"));
  loop_.RunUntil(2);
  EXPECT_THAT(log_, ElementsAre("a@1", "b@2"));
}

TEST_F(VirtualEventLoopTest, NextTimerAtSkipsCancelledEntries) {
  const TimerId a = loop_.ScheduleAt(1, Log("a"));
  const TimerId b = loop_.ScheduleAt(2, Log("b"));
  loop_.ScheduleAt(5, Log("c"));
  loop_.Cancel(a);
  EXPECT_EQ(loop_.NextTimerAt(), 2);
  loop_.Cancel(b);
  EXPECT_EQ(loop_.NextTimerAt(), 5);
  EXPECT_FALSE(loop_.Empty());
}

TEST_F(VirtualEventLoopTest, AllCancelledIsEmpty) {
  const TimerId a = loop_.ScheduleAt(1, Log("a"));
  const TimerId b = loop_.ScheduleAt(1, Log("b"));
  loop_.Cancel(b);
  loop_.Cancel(a);
  EXPECT_TRUE(loop_.Empty());
  EXPECT_EQ(loop_.NextTimerAt(), kInf);
  EXPECT_EQ(loop_.RunUntil(5), 0u);
  EXPECT_TRUE(log_.empty());
}

TEST_F(VirtualEventLoopTest, CallbackCanScheduleAndCancel) {
  TimerId victim = 0;
  loop_.ScheduleAt(1, [&] {
    log_.push_back("tick@1");
    loop_.ScheduleAt(1, Log("same-time"));  // due now: runs in this RunUntil
    loop_.ScheduleAfter(2, Log("after"));
    loop_.Cancel(victim);
  });
  victim = loop_.ScheduleAt(2, Log("victim"));
  EXPECT_EQ(loop_.RunUntil(10), 3u);
  EXPECT_THAT(log_, ElementsAre("tick@1", "same-time@1", "after@3"));
}

TEST_F(VirtualEventLoopTest, PeriodicTimer) {
  std::vector<Seconds> ticks;
  std::function<void()> tick = [&] {
    ticks.push_back(loop_.Now());
    loop_.ScheduleAfter(1, tick);
  };
  loop_.ScheduleAt(0, tick);
  loop_.RunUntil(4);
  EXPECT_THAT(ticks, ElementsAre(0, 1, 2, 3, 4));
  EXPECT_EQ(loop_.NextTimerAt(), 5);
}

TEST_F(VirtualEventLoopTest, AdvanceToMovesTheClockWithoutRunning) {
  loop_.ScheduleAt(10, Log("a"));
  loop_.AdvanceTo(10);
  EXPECT_EQ(loop_.Now(), 10);
  EXPECT_TRUE(log_.empty());
  loop_.AdvanceTo(3);  // never backwards
  EXPECT_EQ(loop_.Now(), 10);
  loop_.RunUntil(10);
  EXPECT_THAT(log_, ElementsAre("a@10"));
}

}  // namespace
}  // namespace ebb::core
