#include "forecast/growth_quantile.h"

#include <cmath>

#include <gtest/gtest.h>

namespace ebb::forecast {
namespace {

TEST(GrowthQuantileTest, FlatLoadNeedsNoHeadroom) {
  GrowthQuantile g({.horizon_s = 10});
  for (int t = 0; t < 1000; ++t) g.Add(t, 50, 50);
  EXPECT_NEAR(g.Quantile(0.999), 1.0, 0.01);
  EXPECT_GT(g.weight(), 900);
}

TEST(GrowthQuantileTest, BurstsWithinTheHorizonShowInTheUpperTail) {
  // A 3x burst of 100 s every 2,000 s: the ten bases before each burst see (part of) it in their
  // horizon, the one just before it the whole 3x.
  GrowthQuantile g({.horizon_s = 10});
  for (int t = 0; t < 40000; ++t) {
    const double rate = (t % 2000) >= 1900 ? 30 : 10;
    g.Add(t, rate, 10);
  }
  EXPECT_GT(g.Quantile(0.999), 2.5);
  EXPECT_LT(g.Quantile(0.999), 3.05);
  EXPECT_NEAR(g.Quantile(0.5), 1.0, 0.02);
}

TEST(GrowthQuantileTest, OutagesAreNotBases) {
  // Drops to zero and back at full rate: the ratio from zero would be unbounded.
  GrowthQuantile g({.horizon_s = 10, .floor_rps = 0.1});
  for (int t = 0; t < 20000; ++t) {
    const bool outage = (t % 1000) >= 900;
    g.Add(t, outage ? 0 : 20, 20);
  }
  EXPECT_NEAR(g.Quantile(0.9999), 1.0, 0.02);
}

TEST(GrowthQuantileTest, OldBurstsFadeWithTheMemory) {
  GrowthQuantile g({.horizon_s = 10, .memory_s = 1000});
  for (int t = 0; t < 5000; ++t) g.Add(t, (t % 500) >= 450 ? 40 : 10, 10);
  EXPECT_GT(g.Quantile(0.99), 2.0);
  // Twenty memories of calm: the bursts' weight is a millionth of what it was.
  for (int t = 5000; t < 25000; ++t) g.Add(t, 10, 10);
  EXPECT_NEAR(g.Quantile(0.99), 1.0, 0.02);
}

}  // namespace
}  // namespace ebb::forecast
