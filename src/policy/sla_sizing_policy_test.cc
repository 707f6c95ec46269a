#include "policy/sla_sizing_policy.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

// M/M/c by its textbook formulas, summed directly: P(wait) = Erlang C, and a waiting request's
// response is Exp(c mu - lambda) + Exp(mu). Independent of the code under test.
double TextbookShareWithin(int c, double lambda, double mu, double t) {
  const double a = lambda / mu;
  if (a >= c) return 0;
  double term = 1, sum = 0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double last = term * c / (c - a);
  const double wait = last / (sum + last);
  const double theta = c * mu - lambda;
  const double waited_tail =
      std::abs(theta - mu) < 1e-9
          ? (1 + mu * t) * std::exp(-mu * t)
          : (theta * std::exp(-mu * t) - mu * std::exp(-theta * t)) / (theta - mu);
  return 1 - ((1 - wait) * std::exp(-mu * t) + wait * waited_tail);
}

TEST(NodesForSlaTest, IsTheSmallestClusterThatMeetsTheSlaByErlangC) {
  struct Case {
    double rate;
    int slots;
    double service_s, sla_s, target;
  };
  for (const Case& k :
       {Case{5, 1, 0.1, 1, 0.999}, Case{90, 1, 0.1, 1, 0.999}, Case{90, 4, 0.25, 5, 0.999},
        Case{60, 4, 0.25, 2, 0.99}, Case{300, 10, 0.1, 1.5, 0.999}, Case{1, 1, 1, 10, 0.9}}) {
    const ServiceModel model{.slots_per_node = k.slots,
                             .service_time_s = k.service_s,
                             .sla_s = k.sla_s,
                             .sla_target = k.target};
    const SlaNodes sized = NodesForSla(k.rate, model, 1 / k.service_s, 1000);
    SCOPED_TRACE(testing::Message() << "rate " << k.rate << " -> " << sized.nodes << " nodes");
    ASSERT_TRUE(sized.enough);
    const double mu = 1 / k.service_s;
    EXPECT_GE(TextbookShareWithin(sized.nodes * k.slots, k.rate, mu, k.sla_s), k.target);
    EXPECT_NEAR(sized.share, TextbookShareWithin(sized.nodes * k.slots, k.rate, mu, k.sla_s), 1e-9);
    // One node fewer misses the target (or the last node could not be signed off anyway).
    if (sized.nodes > 1) {
      EXPECT_LT(TextbookShareWithin((sized.nodes - 1) * k.slots, k.rate, mu, k.sla_s), k.target);
    }
  }
  EXPECT_EQ(NodesForSla(0, {}, 1, 10).nodes, 0);
  const SlaNodes short_of = NodesForSla(1000, {.slots_per_node = 1, .sla_s = 5}, 1, 10);
  EXPECT_FALSE(short_of.enough);
  EXPECT_EQ(short_of.nodes, 10);
}

std::vector<int> Drive(SlaSizingPolicy& policy, const std::vector<double>& rates, int total,
                       int start_serving, const ServiceModel& model) {
  return DrivePolicy(policy, rates,
                     {.total_nodes = total,
                      .start_serving = start_serving,
                      .node_capacity_rps = 16,
                      .model = model});
}

const ServiceModel kModel{
    .slots_per_node = 4, .service_time_s = 0.25, .sla_s = 5, .sla_target = 0.999, .shutdown_s = 10};

TEST(SlaSizingPolicyTest, BurstyTrafficGetsMoreHeadroomThanSmoothTraffic) {
  // The same mean load; one trace has a 3x burst of 5 minutes every hour.
  std::vector<double> smooth, bursty;
  for (int t = 0; t < 6 * 3600; ++t) {
    smooth.push_back(40);
    bursty.push_back(t % 3600 >= 3300 ? 120 : 40);
  }
  SlaSizingPolicy a({}), b({});
  const std::vector<int> calm = Drive(a, smooth, 40, 10, kModel);
  const std::vector<int> wary = Drive(b, bursty, 40, 10, kModel);
  // Compare at the same moment, in a calm phase after several bursts were seen.
  const std::size_t at = 5 * 3600 + 1800;
  EXPECT_EQ(calm[at], NodesForSla(40, kModel, 4, 40).nodes);
  EXPECT_GE(wary[at], NodesForSla(110, kModel, 4, 40).nodes) << "headroom for most of a burst";
}

TEST(SlaSizingPolicyTest, ScalesUpAtOnceAndDownOnlyAfterTheHoldTime) {
  std::vector<double> rates(600, 20);
  for (int t = 100; t < 160; ++t) rates[t] = 100;
  // The median growth: no headroom learned from the burst itself.
  SlaSizingPolicy policy({.headroom_quantile = 0.5, .halving_s = 1, .hold_s = 120});
  const std::vector<int> targets = Drive(policy, rates, 40, 2, kModel);
  const int low = targets[99];
  // Within the smoothing window of the burst's start, more nodes.
  EXPECT_GT(targets[101], low);
  const int high = *std::max_element(targets.begin(), targets.end());
  EXPECT_GE(high, NodesForSla(100, kModel, 4, 40).nodes);
  // Held for hold_s after the burst's need fell (the burst ends at 160, its mean by ~175).
  EXPECT_EQ(targets[170 + 100], high);
  EXPECT_EQ(targets.back(), low);
}

TEST(SlaSizingPolicyTest, NeverShrinksFasterThanHalvingAfterACollapse) {
  // Steady load, then an outage to zero for 5 minutes, then the load is back at full rate.
  std::vector<double> rates(3600, 200);
  for (int t = 3000; t < 3300; ++t) rates[t] = 0;
  SlaSizingPolicy policy({.halving_s = 600, .hold_s = 60});
  const std::vector<int> targets = Drive(policy, rates, 100, 30, kModel);
  const int before = targets[2999];
  // 300 s of outage at a 600 s halving time keep 2^-0.5 of the nodes.
  EXPECT_GE(targets[3299], static_cast<int>(std::floor(before * std::exp2(-0.5))));
  EXPECT_LT(targets[3299], before);
}

TEST(SlaSizingPolicyTest, ExplainsItsSizing) {
  SlaSizingPolicy policy({});
  const core::LoadHistory history = HistoryOf({40, 40, 40}, 3);
  const Decision d = policy.Decide({.now = 3,
                                    .interval_s = 1,
                                    .serving_nodes = 1,
                                    .total_nodes = 10,
                                    .node_capacity_rps = 16,
                                    .boot_s = 60,
                                    .history = &history,
                                    .model = kModel});
  EXPECT_TRUE(ReasonHas(
      d, {"load 40.0 rps", "x 4 slots at 0.25 s answer", "within 5 s", "target 99.9%", "need"}));
  EXPECT_GT(d.target_serving, 1);
}

}  // namespace
}  // namespace ebb::policy
