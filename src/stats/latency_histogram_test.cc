#include "stats/latency_histogram.h"

#include <gtest/gtest.h>

namespace ebb::stats {
namespace {

TEST(LatencyHistogramTest, QuantilesWithinHalfAPercent) {
  LatencyHistogram h;
  for (int i = 1; i <= 10000; ++i) h.Add(i * 0.001);  // 1 ms .. 10 s
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_NEAR(h.mean(), 5.0005, 1e-9);
  EXPECT_DOUBLE_EQ(h.max(), 10.0);
  EXPECT_NEAR(h.Quantile(0.5), 5.0, 5.0 * 0.005);
  EXPECT_NEAR(h.Quantile(0.95), 9.5, 9.5 * 0.005);
  EXPECT_NEAR(h.Quantile(0.99), 9.9, 9.9 * 0.005);
  EXPECT_LE(h.Quantile(1.0), h.max());
}

TEST(LatencyHistogramTest, ExtremesAndMerge) {
  LatencyHistogram a, b;
  a.Add(0);
  a.Add(1e-9);
  b.Add(1e7);  // beyond the top bucket: still counted, max exact
  a.Merge(b);
  EXPECT_EQ(a.count(), 3u);
  EXPECT_DOUBLE_EQ(a.max(), 1e7);
  EXPECT_GT(a.Quantile(1.0), 1e5);
  a.Clear();
  EXPECT_EQ(a.count(), 0u);
  EXPECT_EQ(a.Quantile(0.5), 0);
}

}  // namespace
}  // namespace ebb::stats
