#include "report/timeseries_digest.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace ebb::report {
namespace {

TEST(TimeseriesDigestTest, KeepsEveryRowUntilFullThenHalvesResolution) {
  TimeseriesDigest digest(8);
  for (int i = 0; i < 8; ++i) digest.Add({.t = double(i), .arrival_rps = double(i)});
  EXPECT_EQ(digest.buckets().size(), 8u);
  EXPECT_EQ(digest.rows_per_bucket(), 1u);
  digest.Add({.t = 8, .arrival_rps = 8});
  EXPECT_EQ(digest.rows_per_bucket(), 2u);
  ASSERT_EQ(digest.buckets().size(), 5u);
  EXPECT_DOUBLE_EQ(digest.buckets()[0].mean.arrival_rps, 0.5);
  EXPECT_DOUBLE_EQ(digest.buckets()[0].max_arrival_rps, 1);
  EXPECT_DOUBLE_EQ(digest.buckets()[3].t_end, 7);
}

TEST(TimeseriesDigestTest, MemoryStaysBoundedAndMeansStayExact) {
  TimeseriesDigest digest(64);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    digest.Add({.t = double(i), .p95_s = i == 4242 ? 9.0 : 0.1, .power_w = double(i % 7)});
    sum += i % 7;
  }
  EXPECT_LE(digest.buckets().size(), 64u);
  double weighted = 0;
  std::size_t rows = 0;
  double worst = 0;
  for (const Bucket& b : digest.buckets()) {
    weighted += b.mean.power_w * double(b.rows);
    rows += b.rows;
    worst = std::max(worst, b.max_p95_s);
  }
  EXPECT_EQ(rows, std::size_t(n));
  EXPECT_NEAR(weighted, sum, 1e-6 * sum);
  EXPECT_DOUBLE_EQ(worst, 9.0);  // a single bad interval is never averaged away
}

}  // namespace
}  // namespace ebb::report
