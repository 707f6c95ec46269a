#include "tools/logstat/timer_distribution.h"

#include <gtest/gtest.h>

namespace ebb::logstat {
namespace {

TEST(TimerDistributionTest, EmptyHasZeroCount) {
  TimerDistribution d;
  EXPECT_EQ(d.Summarize().count, 0u);
}

TEST(TimerDistributionTest, ExactStatisticsAcrossFlatAndLargeValues) {
  TimerDistribution d;
  // 1..100 plus one large value: mean, population variance and nearest-rank percentiles.
  for (int v = 1; v <= 100; ++v) d.Add(v);
  d.Add(100000);
  const TimerSummary s = d.Summarize();
  EXPECT_EQ(s.count, 101u);
  const double mean = (5050.0 + 100000.0) / 101;
  EXPECT_DOUBLE_EQ(s.mean, mean);
  double squares = 0;
  for (int v = 1; v <= 100; ++v) squares += (v - mean) * (v - mean);
  squares += (100000 - mean) * (100000 - mean);
  EXPECT_NEAR(s.variance, squares / 101, 1e-6 * squares / 101);
  EXPECT_NEAR(s.scv, s.variance / (mean * mean), 1e-12);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 100000);
  EXPECT_EQ(s.p50, 51);   // rank ceil(50.5) = 51
  EXPECT_EQ(s.p95, 96);   // rank ceil(95.95) = 96
  EXPECT_EQ(s.p99, 100);  // rank ceil(99.99) = 100
}

TEST(TimerDistributionTest, SingleValueAndMerge) {
  TimerDistribution a, b;
  a.Add(7);
  b.Add(7);
  b.Add(5000);
  a.Merge(b);
  const TimerSummary s = a.Summarize();
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.p50, 7);
  EXPECT_EQ(s.p99, 5000);
  EXPECT_EQ(s.min, 7);
  TimerDistribution zero;
  zero.Add(0);
  EXPECT_EQ(zero.Summarize().scv, 0);
  EXPECT_EQ(zero.Summarize().variance, 0);
}

}  // namespace
}  // namespace ebb::logstat
