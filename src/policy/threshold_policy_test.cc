#include "policy/threshold_policy.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {
// Capacity 20 rps per node: overload 60% is 12 rps per node, underload 20% is 4 rps per node.
constexpr double kCapacity = 20;

struct Row {
  std::string name;
  std::vector<double> rates;  // history, oldest first; the newest is the current load
  int serving = 3;
  int booting = 0;
  int total = 10;
  int want = 0;
  std::vector<std::string> reason_has;
  double capacity = kCapacity;
};

TEST(ThresholdPolicyTest, OneDecision) {
  const std::vector<Row> rows = {
      {.name = "overload needs one more",
       .rates = {45},
       .want = 4,
       .reason_has = {"load 45.0 rps = 75% of 3 nodes > overload 60%: need 4"}},
      {.name = "only the newest sample counts",
       .rates = {5, 5, 45},
       .want = 4,
       .reason_has = {"45.0 rps", "need 4"}},
      {.name = "overload needs several",
       .rates = {100},
       .serving = 2,
       .want = 9,
       .reason_has = {"100.0 rps", "250%", "2 nodes", "need 9"}},
      {.name = "overload capped at total",
       .rates = {200},
       .serving = 2,
       .total = 5,
       .want = 5,
       .reason_has = {"need 17", "capped at 5 nodes"}},
      {.name = "booting node already covers the need",
       .rates = {45},
       .booting = 1,
       .want = 4,
       .reason_has = {"need 4", "3 serving + 1 booting already cover it"}},
      {.name = "more booting than needed are not cancelled",
       .rates = {45},
       .booting = 2,
       .want = 5,
       .reason_has = {"need 4"}},
      {.name = "booting nodes not enough",
       .rates = {100},
       .serving = 2,
       .booting = 1,
       .want = 9,
       .reason_has = {"need 9", "2 serving + 1 booting so far"}},
      {.name = "exactly at overload keeps",
       .rates = {36},
       .want = 3,
       .reason_has = {"60% of 3 nodes", "keep 3"}},
      {.name = "between thresholds keeps",
       .rates = {30},
       .want = 3,
       .reason_has = {"30.0 rps = 50% of 3 nodes", "underload 20%", "overload 60%", "keep 3"}},
      {.name = "between thresholds keeps booting nodes",
       .rates = {30},
       .booting = 1,
       .want = 4,
       .reason_has = {"keep 3 serving + 1 booting"}},
      {.name = "underload signs off one node",
       .rates = {6},
       .want = 2,
       .reason_has = {"6.0 rps = 10% of 3 nodes < underload 20%", "sign off one node", "3 -> 2"}},
      {.name = "exactly at underload keeps",
       .rates = {12},
       .want = 3,
       .reason_has = {"20%", "keep 3"}},
      {.name = "underload with a node booting gives one up",
       .rates = {6},
       .booting = 1,
       .want = 3,
       .reason_has = {"sign off one node"}},
      {.name = "no serving node and load boots enough",
       .rates = {30},
       .serving = 0,
       .want = 3,
       .reason_has = {"30.0 rps with no serving node", "need 3"}},
      {.name = "no serving node and a trickle boots one",
       .rates = {0.5},
       .serving = 0,
       .want = 1,
       .reason_has = {"need 1"}},
      {.name = "no serving node and no load",
       .rates = {0},
       .serving = 0,
       .want = 0,
       .reason_has = {"nothing to sign off", "keep 0"}},
      {.name = "last node under no load is signed off (the guard keeps the minimum)",
       .rates = {0},
       .serving = 1,
       .want = 0,
       .reason_has = {"sign off"}},
      {.name = "no sample holds",
       .rates = {},
       .booting = 1,
       .want = 4,
       .reason_has = {"no load sample yet", "keep 3 serving + 1 booting"}},
      {.name = "unknown capacity holds",
       .rates = {30},
       .want = 3,
       .reason_has = {"capacity 0 rps is not positive", "keep 3"},
       .capacity = 0},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    ThresholdPolicy policy(
        {.overload = 0.6, .underload = 0.2, .underload_cycles = 1, .sign_off = SignOffMode::kOne});
    const core::LoadHistory history = HistoryOf(r.rates, 100);
    const Decision d = policy.Decide({.now = 100,
                                      .serving_nodes = r.serving,
                                      .booting_nodes = r.booting,
                                      .total_nodes = r.total,
                                      .node_capacity_rps = r.capacity,
                                      .boot_s = 30,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, r.want) << d.reason;
    EXPECT_TRUE(ReasonHas(d, r.reason_has));
    // The threshold policy plans for the newest sample.
    EXPECT_EQ(d.expected_rps, r.rates.empty() ? 0.0 : r.rates.back());
  }
}

// A run of decisions with one policy, so the underload counter carries over. The test plays the
// controller: `serving` is what it made of the previous target.
TEST(ThresholdPolicyTest, UnderloadCounterOverSeveralCycles) {
  struct Step {
    double rate;
    int serving;
    int want;
    std::string reason_has;
  };
  const std::vector<Step> steps = {
      {6, 3, 3, "(1 of 3 cycles)"},
      {6, 3, 3, "(2 of 3 cycles)"},
      {6, 3, 2, "for 3 cycles: sign off one node"},
      {3, 2, 2, "(1 of 3 cycles)"},  // the count restarted after the sign-off
      {10, 2, 2, "within"},          // 25%: interrupts the run
      {3, 2, 2, "(1 of 3 cycles)"},
      {3, 2, 2, "(2 of 3 cycles)"},
      {30, 2, 3, "need 3"},  // overload interrupts it too
      {3, 3, 3, "(1 of 3 cycles)"},
      {3, 3, 3, "(2 of 3 cycles)"},
      {3, 3, 2, "for 3 cycles"},
  };
  ThresholdPolicy policy(
      {.overload = 0.6, .underload = 0.2, .underload_cycles = 3, .sign_off = SignOffMode::kOne});
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

TEST(ThresholdPolicyTest, Deterministic) {
  const core::LoadHistory history = HistoryOf({1, 50, 7, 45}, 4);
  const PolicyInput input{.now = 4,
                          .serving_nodes = 3,
                          .total_nodes = 10,
                          .node_capacity_rps = kCapacity,
                          .history = &history};
  ThresholdPolicy a({});
  ThresholdPolicy b({});
  for (int i = 0; i < 3; ++i) {
    const Decision da = a.Decide(input);
    const Decision db = b.Decide(input);
    EXPECT_EQ(da.target_serving, db.target_serving);
    EXPECT_EQ(da.reason, db.reason);
  }
}

// Without Cherub's one-at-a-time option, one decision signs off every node the load leaves idle:
// down to the fewest that keep it within the overload threshold, and at least one node fewer.
TEST(ThresholdPolicyTest, SignsOffAsManyAsTheLoadAllowsInOneDecision) {
  struct Case {
    double rate;
    int serving, want;
  };
  for (const Case& r :
       {Case{6, 3, 1}, Case{30, 100, 5}, Case{300, 100, 50}, Case{0, 40, 1}, Case{100, 20, 17}}) {
    ThresholdPolicy policy({.overload = 0.6, .underload = 0.2, .underload_cycles = 1});
    const core::LoadHistory history = HistoryOf({r.rate}, 1);
    const Decision d = policy.Decide({.now = 1,
                                      .serving_nodes = r.serving,
                                      .total_nodes = 200,
                                      .node_capacity_rps = 10,
                                      .history = &history});
    SCOPED_TRACE(d.reason);
    if (LoadShare(r.rate, r.serving, 10) < 0.2) {
      EXPECT_EQ(d.target_serving, r.want);
      EXPECT_LE(LoadShare(r.rate, d.target_serving, 10), 0.6);
      EXPECT_TRUE(ReasonHas(d, {fmt::format("sign off {}", FormatNodes(r.serving - r.want))}));
    } else {
      EXPECT_EQ(d.target_serving, r.serving);
    }
  }
}

}  // namespace
}  // namespace ebb::policy
