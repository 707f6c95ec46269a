#include "policy/reserves_policy.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

// Ten single-slot nodes at 1 request/s each, boot 60 s: the third reference case of the study
// (N = 10, nu = 1/60, c1 = 1.2, c2 = 1, lambda = 5.5, mu = 1) as a cluster.
const ServiceModel kModel{.slots_per_node = 1, .service_time_s = 1, .cost_c1 = 1.2, .cost_c2 = 1};

Decision DecideAt(ReservesPolicy& policy, double now, int serving, int jobs,
                  const core::LoadHistory& history) {
  return policy.Decide({.now = now,
                        .interval_s = 1,
                        .serving_nodes = serving,
                        .total_nodes = 10,
                        .node_capacity_rps = 1,
                        .boot_s = 60,
                        .history = &history,
                        .jobs_in_system = jobs,
                        .model = kModel});
}

TEST(ReservesPolicyTest, PlansTheOptimumAndSwitchesTheReservesByItsThresholds) {
  const core::LoadHistory history = HistoryOf(std::vector<double>(30, 5.5), 30);
  auto optimum = queueing::OptimalReserves({.servers = 10,
                                            .setup_rate = 1.0 / 60,
                                            .c1 = 1.2,
                                            .c2 = 1,
                                            .arrival_rate = 5.5,
                                            .service_rate = 1});
  ASSERT_TRUE(optimum.ok());
  const queueing::ReservesThresholds t = optimum->thresholds;
  ASSERT_GT(t.reserves, 1) << "the case needs reserves to switch";
  const int always_on = 10 - t.reserves;
  ReservesPolicy policy({});
  // Few jobs: every reserve off, the always-on nodes only.
  Decision d = DecideAt(policy, 30, 10, 0, history);
  EXPECT_EQ(d.target_serving, always_on) << d.reason;
  EXPECT_TRUE(ReasonHas(d, {fmt::format("m = {}, D = {}, U = {}", t.reserves, t.down, t.up)}));
  // Jobs above U: every reserve wanted; the controller boots them node by node.
  d = DecideAt(policy, 31, always_on, t.up + 1, history);
  EXPECT_EQ(d.target_serving, 10) << d.reason;
  // Between D and U, reserves that are on (some, while the rest boot) stay as they are.
  if (t.up > t.down + 1) {
    EXPECT_EQ(DecideAt(policy, 32, always_on + 1, t.down + 1, history).target_serving,
              always_on + 1);
  }
  // At D or below: all of them off again.
  d = DecideAt(policy, 33, 10, t.down, history);
  EXPECT_EQ(d.target_serving, always_on) << d.reason;
}

TEST(ReservesPolicyTest, BeyondTheModelEveryNodeServes) {
  const core::LoadHistory history = HistoryOf(std::vector<double>(30, 50), 30);
  ReservesPolicy policy({});
  const Decision d = DecideAt(policy, 30, 3, 40, history);
  EXPECT_EQ(d.target_serving, 10);
  EXPECT_TRUE(ReasonHas(d, {"no reserves plan", "all nodes"}));
}

}  // namespace
}  // namespace ebb::policy
