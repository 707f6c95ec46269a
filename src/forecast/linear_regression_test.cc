#include "forecast/linear_regression.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::forecast {
namespace {

using core::LoadSample;

std::vector<LoadSample> Line(double t0, double dt, int n, double intercept, double slope) {
  std::vector<LoadSample> out;
  for (int i = 0; i < n; ++i) {
    const double t = t0 + dt * i;
    out.push_back({.at = t, .rate_rps = intercept + slope * t});
  }
  return out;
}

TEST(FitLineTest, ExactLines) {
  struct Row {
    std::string name;
    double t0, dt;
    int n;
    double intercept, slope;
  };
  const std::vector<Row> rows = {
      {"rising", 0, 1, 10, 5, 2},
      {"falling", 0, 1, 10, 100, -3.5},
      {"flat", 0, 1, 10, 42, 0},
      {"two points", 3, 2, 2, 1, 0.5},
      {"uneven start", 17.5, 0.25, 40, -4, 8},
      {"epoch times", 1.7e9, 1, 120, 0, 0.25},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const auto samples = Line(r.t0, r.dt, r.n, r.intercept, r.slope);
    const LinearFit fit = FitLine(samples);
    EXPECT_EQ(fit.samples, static_cast<std::size_t>(r.n));
    EXPECT_NEAR(fit.slope_rps_per_s, r.slope, 1e-9);
    const double last = r.t0 + r.dt * (r.n - 1);
    EXPECT_NEAR(fit.ValueAt(last), r.intercept + r.slope * last, 1e-6);
    EXPECT_NEAR(fit.ValueAt(last + 10), r.intercept + r.slope * (last + 10), 1e-6);
    if (r.t0 < 1e6) {
      EXPECT_NEAR(fit.intercept_rps, r.intercept, 1e-9);
    }
  }
}

TEST(FitLineTest, DegenerateInputs) {
  const LinearFit empty = FitLine(std::vector<LoadSample>{});
  EXPECT_EQ(empty.samples, 0u);
  EXPECT_EQ(empty.slope_rps_per_s, 0);
  EXPECT_EQ(empty.ValueAt(100), 0);

  const LinearFit one = FitLine(std::vector<LoadSample>{{.at = 5, .rate_rps = 30}});
  EXPECT_EQ(one.samples, 1u);
  EXPECT_EQ(one.slope_rps_per_s, 0);
  EXPECT_EQ(one.intercept_rps, 30);
  EXPECT_EQ(one.ValueAt(1000), 30);

  // Same time: no time variance, so no slope; the line is the mean.
  const LinearFit same_time = FitLine(std::vector<LoadSample>{
      {.at = 5, .rate_rps = 10}, {.at = 5, .rate_rps = 20}, {.at = 5, .rate_rps = 60}});
  EXPECT_EQ(same_time.slope_rps_per_s, 0);
  EXPECT_DOUBLE_EQ(same_time.ValueAt(50), 30);
}

TEST(FitLineTest, OrderDoesNotMatter) {
  const std::vector<LoadSample> forward = {
      {.at = 0, .rate_rps = 1}, {.at = 1, .rate_rps = 3}, {.at = 2, .rate_rps = 2}};
  const std::vector<LoadSample> backward = {forward[2], forward[0], forward[1]};
  EXPECT_DOUBLE_EQ(FitLine(forward).slope_rps_per_s, FitLine(backward).slope_rps_per_s);
  EXPECT_DOUBLE_EQ(FitLine(forward).slope_rps_per_s, 0.5);
  EXPECT_DOUBLE_EQ(FitLine(forward).intercept_rps, 1.5);
}

TEST(FitLineTest, SymmetricNoiseKeepsTheSlope) {
  // Alternating +/- 3 rps around a line: the noise averages out of a long window.
  std::vector<LoadSample> samples;
  for (int i = 0; i < 200; ++i) {
    samples.push_back({.at = double(i), .rate_rps = 50 + 0.5 * i + ((i % 2 == 0) ? 3.0 : -3.0)});
  }
  const LinearFit fit = FitLine(samples);
  EXPECT_NEAR(fit.slope_rps_per_s, 0.5, 1e-3);
  EXPECT_NEAR(fit.ValueAt(100), 100, 0.1);
}

TEST(FitLineTest, GaussianNoiseStaysCloseToTheTrend) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0, 5);
  for (const double slope : {-1.0, 0.0, 0.2, 2.0}) {
    SCOPED_TRACE(slope);
    std::vector<LoadSample> samples;
    for (int i = 0; i < 120; ++i) {
      samples.push_back({.at = 1000.0 + i, .rate_rps = 300 + slope * i + noise(rng)});
    }
    const LinearFit fit = FitLine(samples);
    // Standard error of the slope is sigma / sqrt(S_tt) = 5 / sqrt(143990) ~ 0.013.
    EXPECT_NEAR(fit.slope_rps_per_s, slope, 0.06);
    EXPECT_NEAR(fit.ValueAt(1119), 300 + slope * 119, 3.0);
  }
}

TEST(FitLineTest, HistoryWindow) {
  core::LoadHistory history(8);
  // Old flat samples, then a rising ramp: the window only sees the ramp.
  for (int t = 0; t < 4; ++t) history.Add({.at = double(t), .rate_rps = 100});
  for (int t = 4; t < 10; ++t) history.Add({.at = double(t), .rate_rps = 10.0 * t});
  // Samples in (9 - 4, 9] are t = 6, 7, 8, 9.
  const LinearFit fit = FitLine(history, 9, 4);
  EXPECT_EQ(fit.samples, 4u);
  EXPECT_NEAR(fit.slope_rps_per_s, 10, 1e-9);
  EXPECT_NEAR(fit.ValueAt(12), 120, 1e-9);

  const LinearFit none = FitLine(history, 100, 5);
  EXPECT_EQ(none.samples, 0u);
  EXPECT_EQ(none.slope_rps_per_s, 0);
}

}  // namespace
}  // namespace ebb::forecast
