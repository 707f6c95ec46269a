#include "forecast/ewma.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::forecast {
namespace {

using core::LoadSample;

TEST(EwmaTest, EmptyAndSingle) {
  EXPECT_FALSE(Ewma(std::vector<LoadSample>{}, 10).has_value());
  EXPECT_DOUBLE_EQ(*Ewma(std::vector<LoadSample>{{.at = 3, .rate_rps = 12}}, 10), 12);
}

TEST(EwmaTest, ConstantStaysConstant) {
  std::vector<LoadSample> samples;
  for (int i = 0; i < 50; ++i) samples.push_back({.at = double(i), .rate_rps = 40});
  EXPECT_DOUBLE_EQ(*Ewma(samples, 5), 40);
}

TEST(EwmaTest, StepApproachesExponentially) {
  // A step from 0 to 100 at t = 0 reaches 100 * (1 - e^(-t/tau)) after t seconds, whatever the
  // sample spacing.
  for (const double dt : {0.5, 1.0, 2.0}) {
    SCOPED_TRACE(dt);
    std::vector<LoadSample> samples = {{.at = 0, .rate_rps = 0}};
    for (double t = dt; t <= 10 + 1e-9; t += dt) samples.push_back({.at = t, .rate_rps = 100});
    EXPECT_NEAR(*Ewma(samples, 5), 100 * (1 - std::exp(-10.0 / 5)), 1e-9);
  }
}

TEST(EwmaTest, SameTimeSampleDoesNotMove) {
  const std::vector<LoadSample> samples = {
      {.at = 0, .rate_rps = 10}, {.at = 0, .rate_rps = 1000}, {.at = 0, .rate_rps = 500}};
  EXPECT_DOUBLE_EQ(*Ewma(samples, 1), 10);
}

}  // namespace
}  // namespace ebb::forecast
