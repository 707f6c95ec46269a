#include "policy/capacity.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

TEST(NodesNeededTest, SmallestCountUnderOverload) {
  struct Row {
    std::string name;
    double rate, capacity, overload;
    int want;
  };
  const std::vector<Row> rows = {
      {"no load", 0, 20, 0.6, 0},
      {"negative load", -5, 20, 0.6, 0},
      {"tiny load", 0.01, 20, 0.6, 1},
      {"exactly one node at overload", 12, 20, 0.6, 1},
      {"just over one node", 12.01, 20, 0.6, 2},
      {"exactly three nodes", 36, 20, 0.6, 3},
      {"3.75 nodes", 45, 20, 0.6, 4},
      {"overload 100%", 100, 10, 1.0, 10},
      {"awkward decimals", 0.3, 0.1, 1.0, 3},
      {"huge load saturates", 1e300, 1, 0.5, 1 << 24},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const int n = NodesNeeded(r.rate, r.capacity, r.overload);
    EXPECT_EQ(n, r.want);
    if (n > 0 && n < (1 << 24)) {
      EXPECT_LE(LoadShare(r.rate, n, r.capacity), r.overload);
      EXPECT_GT(LoadShare(r.rate, n - 1, r.capacity), r.overload);
    }
  }
}

TEST(LoadShareTest, EdgeCases) {
  EXPECT_DOUBLE_EQ(LoadShare(45, 3, 20), 0.75);
  EXPECT_EQ(LoadShare(0, 0, 20), 0);
  EXPECT_TRUE(std::isinf(LoadShare(1, 0, 20)));
}

TEST(FormatTest, Words) {
  EXPECT_EQ(FormatShare(0.75), "75%");
  EXPECT_EQ(FormatShare(0.6), "60%");
  EXPECT_EQ(FormatShare(0.605), "60.5%");
  EXPECT_EQ(FormatShare(1.0 / 3), "33.3%");
  EXPECT_EQ(FormatShare(std::numeric_limits<double>::infinity()), "inf%");
  EXPECT_EQ(FormatRate(45.2), "45.2 rps");
  EXPECT_EQ(FormatSlope(0.5), "+0.50 rps/s");
  EXPECT_EQ(FormatSlope(-2), "-2.00 rps/s");
  EXPECT_EQ(FormatNodes(1), "1 node");
  EXPECT_EQ(FormatNodes(3), "3 nodes");
}

TEST(UnderloadCounterTest, SignsOffEveryNthConsecutiveCycle) {
  UnderloadCounter counter(3);
  const std::vector<std::pair<bool, bool>> steps = {
      // {under, signs off}
      {true, false}, {true, false},  {true, true},  // third in a row
      {true, false}, {false, false},                // interrupted: restart
      {true, false}, {true, false},  {true, true},
  };
  for (std::size_t i = 0; i < steps.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(counter.Record(steps[i].first), steps[i].second);
  }
  EXPECT_EQ(counter.count(), 0);

  UnderloadCounter every(1);
  EXPECT_TRUE(every.Record(true));
  EXPECT_TRUE(every.Record(true));
  EXPECT_FALSE(every.Record(false));
}

TEST(DecisionTest, ScaleUpCountsBootingNodesAndCaps) {
  const core::LoadHistory history = HistoryOf({10}, 1);
  PolicyInput input{.serving_nodes = 3,
                    .booting_nodes = 1,
                    .total_nodes = 5,
                    .node_capacity_rps = 20,
                    .history = &history};
  EXPECT_EQ(ScaleUp(input, 10, 4, "why").target_serving, 4);
  EXPECT_TRUE(ReasonHas(ScaleUp(input, 10, 4, "why"), {"why: need 4", "already cover it"}));
  EXPECT_EQ(ScaleUp(input, 10, 2, "why").target_serving,
            4);  // never cancels boots while scaling up
  EXPECT_EQ(ScaleUp(input, 10, 9, "why").target_serving, 5);
  EXPECT_TRUE(ReasonHas(ScaleUp(input, 10, 9, "why"), {"need 9", "capped at 5 nodes"}));
  EXPECT_EQ(SignOffOne(input, 10, "why").target_serving, 3);
  EXPECT_EQ(Keep(input, 10, "why").target_serving, 4);
  EXPECT_EQ(Keep(input, 10, "why").expected_rps, 10);
  input.serving_nodes = 0;
  input.booting_nodes = 0;
  EXPECT_EQ(SignOffOne(input, 10, "why").target_serving, 0);
}

}  // namespace
}  // namespace ebb::policy
