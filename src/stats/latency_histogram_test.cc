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

TEST(LatencyHistogramTest, NonEmptyBinsHoldEveryRequestInOrder) {
  LatencyHistogram h;
  for (double seconds : {0.0, 0.010, 0.010, 0.2, 3.0, 1e7}) h.Add(seconds);
  const std::vector<LatencyHistogram::Bin> bins = h.NonEmptyBins();
  ASSERT_EQ(bins.size(), 5u);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < bins.size(); ++i) {
    total += bins[i].count;
    EXPECT_LT(bins[i].lower_s, bins[i].upper_s);
    if (i > 0) {
      EXPECT_LE(bins[i - 1].upper_s, bins[i].lower_s);
    }
  }
  EXPECT_EQ(total, h.count());
  EXPECT_EQ(bins[0].lower_s, 0);
  EXPECT_EQ(bins[1].count, 2u);
  EXPECT_LE(bins[1].lower_s, 0.010);
  EXPECT_GT(bins[1].upper_s, 0.010);
  EXPECT_LT(bins[1].upper_s / bins[1].lower_s, 1.01);
  EXPECT_TRUE(std::isinf(bins.back().upper_s));
}

}  // namespace
}  // namespace ebb::stats
