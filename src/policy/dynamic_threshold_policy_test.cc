#include "policy/dynamic_threshold_policy.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

// Capacity 20 rps per node, overload 60%: the sign-off level of n nodes is 60% * (n - 1) / n,
// i.e. 30% of 2 nodes, 40% of 3, 45% of 4.
constexpr double kCapacity = 20;

TEST(DerivedUnderloadTest, Levels) {
  EXPECT_EQ(DerivedUnderload(0.6, 0), 0);
  EXPECT_EQ(DerivedUnderload(0.6, 1), 0);
  EXPECT_DOUBLE_EQ(DerivedUnderload(0.6, 2), 0.3);
  EXPECT_DOUBLE_EQ(DerivedUnderload(0.6, 3), 0.4);
  EXPECT_DOUBLE_EQ(DerivedUnderload(0.8, 4), 0.6);
}

TEST(DynamicThresholdPolicyTest, OneDecision) {
  struct Row {
    std::string name;
    double rate;
    int serving = 3;
    int booting = 0;
    int total = 10;
    int want = 0;
    std::vector<std::string> reason_has;
  };
  const std::vector<Row> rows = {
      {.name = "overload needs one more",
       .rate = 45,
       .want = 4,
       .reason_has = {"load 45.0 rps = 75% of 3 nodes > overload 60%: need 4"}},
      {.name = "overload capped",
       .rate = 200,
       .serving = 2,
       .total = 5,
       .want = 5,
       .reason_has = {"need 17", "capped at 5 nodes"}},
      {.name = "booting node covers the need",
       .rate = 45,
       .booting = 1,
       .want = 4,
       .reason_has = {"already cover it"}},
      {.name = "under the derived level signs off",
       .rate = 23,
       .want = 2,
       .reason_has = {"23.0 rps = 38.3% of 3 nodes", "sign-off level 40% (overload 60% x 2/3)",
                      "sign off one node, 3 -> 2"}},
      {.name = "above the derived level keeps",
       .rate = 25,
       .want = 3,
       .reason_has = {"41.7% of 3 nodes", "between 40% and overload 60%", "keep 3"}},
      {.name = "two nodes: level 30%",
       .rate = 11,
       .serving = 2,
       .want = 1,
       .reason_has = {"27.5%", "sign-off level 30%"}},
      {.name = "four nodes: level 45%",
       .rate = 35,
       .serving = 4,
       .want = 3,
       .reason_has = {"43.8%", "sign-off level 45%"}},
      {.name = "never signs off the last node",
       .rate = 0,
       .serving = 1,
       .want = 1,
       .reason_has = {"never sign off the last serving node", "keep 1"}},
      {.name = "no serving node and load boots enough",
       .rate = 30,
       .serving = 0,
       .want = 3,
       .reason_has = {"no serving node", "need 3"}},
      {.name = "no serving node and no load",
       .rate = 0,
       .serving = 0,
       .want = 0,
       .reason_has = {"nothing to sign off"}},
      {.name = "underload with a node booting gives one up",
       .rate = 23,
       .booting = 1,
       .want = 3,
       .reason_has = {"3 serving + 1 booting -> 3"}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    DynamicThresholdPolicy policy(
        {.overload = 0.6, .underload_cycles = 1, .sign_off = SignOffMode::kOne});
    const core::LoadHistory history = HistoryOf({r.rate}, 100);
    const Decision d = policy.Decide({.now = 100,
                                      .serving_nodes = r.serving,
                                      .booting_nodes = r.booting,
                                      .total_nodes = r.total,
                                      .node_capacity_rps = kCapacity,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, r.want) << d.reason;
    EXPECT_TRUE(ReasonHas(d, r.reason_has));
  }
}

TEST(DynamicThresholdPolicyTest, SignOffNeverOverloadsTheRest) {
  for (const SignOffMode mode : {SignOffMode::kOne, SignOffMode::kAll}) {
    for (const double overload : {0.3, 0.6, 0.9, 1.0}) {
      for (int serving = 1; serving <= 12; ++serving) {
        for (double rate = 0; rate <= 300; rate += 0.7) {
          DynamicThresholdPolicy policy(
              {.overload = overload, .underload_cycles = 1, .sign_off = mode});
          const core::LoadHistory history = HistoryOf({rate}, 1);
          const Decision d = policy.Decide({.now = 1,
                                            .serving_nodes = serving,
                                            .total_nodes = 20,
                                            .node_capacity_rps = kCapacity,
                                            .history = &history});
          if (d.target_serving < serving) {
            if (mode == SignOffMode::kOne) {
              ASSERT_EQ(d.target_serving, serving - 1) << d.reason;
            }
            // Never the last serving node.
            ASSERT_GE(d.target_serving, 1) << d.reason;
            // kAll: the fewest nodes within the threshold, so one fewer would be over it (or none).
            if (mode == SignOffMode::kAll && d.target_serving > 1) {
              ASSERT_GT(LoadShare(rate, d.target_serving - 1, kCapacity), overload) << d.reason;
            }
            ASSERT_LE(LoadShare(rate, d.target_serving, kCapacity), overload) << d.reason;
          }
          if (d.target_serving > serving && d.target_serving < 20) {  // 20: capped at total
            ASSERT_LE(LoadShare(rate, d.target_serving, kCapacity), overload) << d.reason;
          }
        }
      }
    }
  }
}

TEST(DynamicThresholdPolicyTest, UnderloadCounterOverSeveralCycles) {
  struct Step {
    double rate;
    int serving;
    int want;
    std::string reason_has;
  };
  const std::vector<Step> steps = {
      {20, 4, 4, "(1 of 2 cycles)"},                                 // 25% < 45%
      {20, 4, 3, "for 2 cycles"},    {20, 3, 3, "(1 of 2 cycles)"},  // 33% < 40%
      {30, 3, 3, "between"},                                         // 50%: restart
      {20, 3, 3, "(1 of 2 cycles)"}, {20, 3, 2, "for 2 cycles"},
      {20, 2, 2, "between"},  // 50% > 30%
  };
  DynamicThresholdPolicy policy(
      {.overload = 0.6, .underload_cycles = 2, .sign_off = SignOffMode::kOne});
  core::LoadHistory history(16);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    const Step& s = steps[i];
    const double now = static_cast<double>(i);
    history.Add({.at = now, .rate_rps = s.rate});
    const Decision d = policy.Decide({.now = now,
                                      .serving_nodes = s.serving,
                                      .total_nodes = 10,
                                      .node_capacity_rps = kCapacity,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, s.want) << d.reason;
    EXPECT_TRUE(ReasonHas(d, {s.reason_has}));
  }
}

}  // namespace
}  // namespace ebb::policy
