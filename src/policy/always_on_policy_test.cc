#include "policy/always_on_policy.h"

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

TEST(AlwaysOnPolicyTest, KeepsEveryNode) {
  struct Row {
    const char* name;
    double rate;
    int serving, booting, total;
  };
  const Row rows[] = {
      {"idle cluster", 0, 5, 0, 5},
      {"some down", 10, 2, 1, 5},
      {"none serving", 100, 0, 0, 3},
      {"no nodes", 0, 0, 0, 0},
  };
  AlwaysOnPolicy policy;
  EXPECT_EQ(policy.Name(), "always-on");
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const core::LoadHistory history = HistoryOf({r.rate}, 10);
    const Decision d = policy.Decide({.now = 10,
                                      .serving_nodes = r.serving,
                                      .booting_nodes = r.booting,
                                      .total_nodes = r.total,
                                      .node_capacity_rps = 20,
                                      .history = &history});
    EXPECT_EQ(d.target_serving, r.total);
    EXPECT_TRUE(ReasonHas(d, {"always-on", std::to_string(r.total) + " node"}));
  }
}

}  // namespace
}  // namespace ebb::policy
