#include "policy/delayed_off_policy.h"

#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

std::vector<int> Drive(DelayedOffPolicy& policy, const std::vector<double>& rates,
                       const ServiceModel& model) {
  return DrivePolicy(policy, rates, {.model = model});
}

TEST(DelayedOffPolicyTest, TheDefaultTimerIsTheBreakEvenTime) {
  // A cycle costs (150 - 5) * 60 + (100 - 5) * 10 = 9,650 J above off; idling saves 95 W: 101.6 s.
  const ServiceModel model{.shutdown_s = 10,
                           .power = {.off_w = 5, .boot_w = 150, .idle_w = 100, .shutdown_w = 100}};
  EXPECT_NEAR(model.BreakEven(60), 9650.0 / 95, 1e-9);
  std::vector<double> rates(400, 6);
  for (int t = 50; t < 100; ++t) rates[t] = 60;  // needs 10 nodes at 60 %
  DelayedOffPolicy policy({.mean_s = 1});
  const std::vector<int> targets = Drive(policy, rates, model);
  EXPECT_EQ(targets[49], 1);
  EXPECT_EQ(targets[50], 10);  // at once
  // The last second that needed 10 nodes was t = 100 (index 99); they go once it is 101.6 s old.
  EXPECT_EQ(targets[99 + 101], 10);
  EXPECT_EQ(targets[99 + 102], 1);
}

TEST(DelayedOffPolicyTest, AGivenTimerAndLayersThatLeaveOneByOne) {
  std::vector<double> rates;
  for (int level = 10; level >= 1; --level) {
    for (int t = 0; t < 30; ++t) rates.push_back(level * 6.0);  // 6 rps per node at 60 %
  }
  DelayedOffPolicy policy({.mean_s = 1, .timer_s = 45});
  const std::vector<int> targets = Drive(policy, rates, {});
  // Each level lasts 30 s: the last second needing 10 nodes is t = 30 (index 29).
  EXPECT_EQ(targets[29], 10);
  EXPECT_EQ(targets[30 + 43], 10);
  EXPECT_EQ(targets[30 + 44], 9);  // t = 75: 45 s after t = 30
}

}  // namespace
}  // namespace ebb::policy
