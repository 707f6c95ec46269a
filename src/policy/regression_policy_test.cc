#include "policy/regression_policy.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

// Capacity 20 rps per node, overload 60%: 3 serving nodes are overloaded above 36 rps. Boot 10 s
// plus margin 5 s: the policy looks 15 s ahead.
constexpr double kCapacity = 20;
constexpr core::Seconds kNow = 1000;
constexpr core::Seconds kBoot = 10;

RegressionOptions Options(CurrentLoad current_load, int cycles = 1) {
  return {.overload = 0.6,
          .underload_cycles = cycles,
          .history_s = 60,
          .epsilon_s = 5,
          .current_load = current_load,
          .mean_s = 15,
          .sign_off = SignOffMode::kOne};
}

TEST(RegressionPolicyTest, OneDecisionOnARamp) {
  struct Row {
    std::string name;
    double rate_now;
    double slope;  // rps per second over the last 60 s
    int serving = 3;
    int booting = 0;
    int total = 10;
    int want = 0;
    std::vector<std::string> reason_has;
    double want_expected = -1;  // Decision::expected_rps, when >= 0
  };
  const std::vector<Row> rows = {
      {.name = "flat mid load keeps",
       .rate_now = 30,
       .slope = 0,
       .want = 3,
       .reason_has = {"load 30.0 rps = 50% of 3 nodes", "trend +0.00 rps/s", "keep 3"}},
      {.name = "rising into overload within a boot time",
       .rate_now = 30,
       .slope = 1,
       .want = 4,
       .reason_has = {"trend +1.00 rps/s", "overload 60% of 3 nodes (36.0 rps) in 6.0 s",
                      "boot 10 s + margin 5 s", "expected 45.0 rps", "need 4"},
       .want_expected = 45},
      {.name = "rising fast needs several",
       .rate_now = 30,
       .slope = 4,
       .want = 8,
       .reason_has = {"in 1.5 s", "expected 90.0 rps", "need 8"}},
      {.name = "rising fast, capped",
       .rate_now = 30,
       .slope = 4,
       .total = 6,
       .want = 6,
       .reason_has = {"need 8", "capped at 6 nodes"}},
      {.name = "rising fast, booting node counted",
       .rate_now = 30,
       .slope = 1,
       .booting = 1,
       .want = 4,
       .reason_has = {"need 4", "already cover it"}},
      {.name = "rising slowly, overload after a boot time keeps",
       .rate_now = 30,
       .slope = 0.2,
       .want = 3,
       .reason_has = {"expected 33.0 rps in 15 s = 55%", "keep 3"}},
      {.name = "already overloaded",
       .rate_now = 40,
       .slope = 0,
       .want = 4,
       .reason_has = {"load 40.0 rps = 66.7% of 3 nodes >= overload 60%: need 4"},
       .want_expected = 40},
      {.name = "already overloaded though falling",
       .rate_now = 40,
       .slope = -1,
       .want = 4,
       .reason_has = {">= overload 60%", "need 4"}},
      {.name = "exactly at overload boots",
       .rate_now = 36,
       .slope = 0,
       .want = 4,
       .reason_has = {"60% of 3 nodes >= overload 60%", "need 4"}},
      {.name = "falling low load signs off",
       .rate_now = 20,
       .slope = -0.5,
       .want = 2,
       .reason_has = {"expected 12.5 rps in 15 s", "33.3% < sign-off level 40%",
                      "sign off one node, 3 -> 2"},
       .want_expected = 20},  // max(now, a boot time ahead)
      {.name = "low load rising soon is not signed off",
       .rate_now = 20,
       .slope = 0.5,
       .want = 3,
       .reason_has = {"expected 27.5 rps in 15 s = 45.8%", "not under sign-off level 40%",
                      "keep 3"},
       .want_expected = 27.5},
      {.name = "no serving node and load",
       .rate_now = 5,
       .slope = 0,
       .serving = 0,
       .want = 1,
       .reason_has = {"no serving node", "need 1"}},
      {.name = "no serving node, no load",
       .rate_now = 0,
       .slope = 0,
       .serving = 0,
       .want = 0,
       .reason_has = {"no node to sign off"}},
      {.name = "last node kept",
       .rate_now = 1,
       .slope = 0,
       .serving = 1,
       .want = 1,
       .reason_has = {"never sign off the last serving node"}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    RegressionPolicy policy(Options(CurrentLoad::kNewestSample));
    const core::LoadHistory history = Ramp(r.rate_now, r.slope, 60, kNow);
    const Decision d = policy.Decide({.now = kNow,
                                      .serving_nodes = r.serving,
                                      .booting_nodes = r.booting,
                                      .total_nodes = r.total,
                                      .node_capacity_rps = kCapacity,
                                      .boot_s = kBoot,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, r.want) << d.reason;
    EXPECT_TRUE(ReasonHas(d, r.reason_has));
    if (r.want_expected >= 0) {
      EXPECT_NEAR(d.expected_rps, r.want_expected, 1e-9);
    }
  }
}

// The same histories through "regression" and "regression-mean".
TEST(RegressionPolicyTest, NewestSampleAgainstWindowMean) {
  struct Row {
    std::string name;
    std::vector<double> rates;  // one per second, newest at kNow
    int want_newest;
    int want_mean;
    std::vector<std::string> mean_reason_has;
  };
  std::vector<double> spike(59, 30.0);
  spike.push_back(60);  // one noisy second
  std::vector<double> dip(59, 30.0);
  dip.push_back(3);
  std::vector<double> step(45, 10.0);
  step.insert(step.end(), 15, 40.0);  // the last 15 s all at 40
  const std::vector<Row> rows = {
      // Newest 60 rps > 36: boot to 5. Mean of 15 s is 32 rps and the trend is flat: keep.
      {"spike", spike, 5, 3, {"load 32.0 rps (mean of 15 s)", "keep 3"}},
      // Newest 3 rps would sign off; the mean 28.2 rps (47%) does not.
      {"dip", dip, 2, 3, {"28.2 rps (mean of 15 s)", "keep 3"}},
      // A lasting step shows in both.
      {"step", step, 4, 4, {"40.0 rps (mean of 15 s)", "need 4"}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const core::LoadHistory history = HistoryOf(r.rates, kNow);
    const PolicyInput input{.now = kNow,
                            .serving_nodes = 3,
                            .total_nodes = 10,
                            .node_capacity_rps = kCapacity,
                            .boot_s = kBoot,
                            .history = &history};
    RegressionPolicy newest(Options(CurrentLoad::kNewestSample));
    RegressionPolicy mean(Options(CurrentLoad::kWindowMean));
    EXPECT_EQ(newest.Name(), "regression");
    EXPECT_EQ(mean.Name(), "regression-mean");
    const Decision dn = newest.Decide(input);
    const Decision dm = mean.Decide(input);
    EXPECT_EQ(dn.target_serving, r.want_newest) << dn.reason;
    EXPECT_EQ(dm.target_serving, r.want_mean) << dm.reason;
    EXPECT_TRUE(ReasonHas(dm, r.mean_reason_has));
  }
}

TEST(RegressionPolicyTest, SparseHistories) {
  // One sample: no trend, so the policy acts on the load alone.
  {
    RegressionPolicy policy(Options(CurrentLoad::kNewestSample));
    const core::LoadHistory history = HistoryOf({30}, kNow);
    const Decision d = policy.Decide({.now = kNow,
                                      .serving_nodes = 3,
                                      .total_nodes = 10,
                                      .node_capacity_rps = kCapacity,
                                      .boot_s = kBoot,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, 3);
    EXPECT_TRUE(ReasonHas(d, {"trend +0.00 rps/s"}));
  }
  // Samples older than both windows: the mean falls back to the newest sample, no trend.
  {
    RegressionPolicy policy(Options(CurrentLoad::kWindowMean));
    const core::LoadHistory history = Ramp(40, 1, 10, kNow - 500);
    const Decision d = policy.Decide({.now = kNow,
                                      .serving_nodes = 3,
                                      .total_nodes = 10,
                                      .node_capacity_rps = kCapacity,
                                      .boot_s = kBoot,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, 4);
    EXPECT_TRUE(ReasonHas(d, {"load 40.0 rps = 66.7%", "need 4"}));
  }
  // No sample at all: hold.
  {
    RegressionPolicy policy(Options(CurrentLoad::kWindowMean));
    const core::LoadHistory history(4);
    const Decision d = policy.Decide({.now = kNow,
                                      .serving_nodes = 3,
                                      .booting_nodes = 1,
                                      .total_nodes = 10,
                                      .node_capacity_rps = kCapacity,
                                      .boot_s = kBoot,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, 4);
    EXPECT_TRUE(ReasonHas(d, {"no load sample yet"}));
  }
}

TEST(RegressionPolicyTest, NoisyRampStillLooksAhead) {
  // 30 rps rising 1 rps/s with +/- 2 rps of alternating noise; the newest sample is low (-2).
  std::vector<double> rates;
  for (int i = 0; i < 60; ++i) rates.push_back(-29 + i + (i % 2 == 0 ? 2.0 : -2.0));
  ASSERT_DOUBLE_EQ(rates.back(), 28);
  RegressionPolicy policy(Options(CurrentLoad::kNewestSample));
  const core::LoadHistory history = HistoryOf(rates, kNow);
  const Decision d = policy.Decide({.now = kNow,
                                    .serving_nodes = 3,
                                    .total_nodes = 10,
                                    .node_capacity_rps = kCapacity,
                                    .boot_s = kBoot,
                                    .history = &history});
  // Free 8 rps at ~1 rps/s: overload in ~8 s < 15 s; expected ~43 rps needs 4.
  EXPECT_EQ(d.target_serving, 4) << d.reason;
  EXPECT_TRUE(ReasonHas(d, {"trend +1.0", "need 4"}));
}

TEST(RegressionPolicyTest, UnderloadCounterOverSeveralCycles) {
  RegressionPolicy policy(Options(CurrentLoad::kNewestSample, /*cycles=*/3));
  core::LoadHistory history(128);
  struct Step {
    double rate;
    int serving;
    int want;
    std::string reason_has;
  };
  // Flat low load, then a climb that interrupts the run, then flat again.
  const std::vector<Step> steps = {
      {10, 3, 3, "(1 of 3 cycles)"}, {10, 3, 3, "(2 of 3 cycles)"}, {10, 3, 2, "for 3 cycles"},
      {10, 2, 2, "(1 of 3 cycles)"}, {10, 2, 2, "(2 of 3 cycles)"}, {30, 2, 3, "need 3"},
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    const Step& s = steps[i];
    const double now = kNow + static_cast<double>(i);
    history.Add({.at = now, .rate_rps = s.rate});
    const Decision d = policy.Decide({.now = now,
                                      .serving_nodes = s.serving,
                                      .total_nodes = 10,
                                      .node_capacity_rps = kCapacity,
                                      .boot_s = kBoot,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, s.want) << d.reason;
    EXPECT_TRUE(ReasonHas(d, {s.reason_has}));
  }
}

}  // namespace
}  // namespace ebb::policy
