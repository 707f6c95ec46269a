#include "metrics/cost_meter.h"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "metrics/time_weighted_mean.h"

namespace ebb::metrics {
namespace {

struct Step {
  double t;
  double value;
};

struct IntegralCase {
  const char* name;
  std::vector<Step> steps;
  double integral;  // to the last sample, by hand
  double mean;
};

TEST(TimeWeightedMean, HoldsEachSampleUntilTheNext) {
  const IntegralCase cases[] = {
      {"one sample", {{5, 7}}, 0, 7},
      {"constant", {{0, 2}, {10, 2}}, 20, 2},
      // 3·2 + 1·4 + 5·0 = 10 over 7 s; the last value (9) has held for no time yet.
      {"steps", {{0, 3}, {2, 1}, {6, 5}, {6, 0}, {7, 9}}, 3 * 2 + 1 * 4 + 5 * 0 + 0 * 1, 10.0 / 7},
      {"uneven", {{100, 10}, {100.5, 20}, {103.5, 0}}, 10 * 0.5 + 20 * 3, 65.0 / 3.5},
  };
  for (const IntegralCase& c : cases) {
    TimeWeightedMean mean;
    for (const Step& step : c.steps) ASSERT_TRUE(mean.Add(step.t, step.value).ok()) << c.name;
    EXPECT_DOUBLE_EQ(mean.Integral(), c.integral) << c.name;
    EXPECT_DOUBLE_EQ(mean.Mean(), c.mean) << c.name;
    EXPECT_DOUBLE_EQ(mean.current(), c.steps.back().value) << c.name;
  }
}

TEST(TimeWeightedMean, ExtendsTheLastValueToNow) {
  TimeWeightedMean mean;
  EXPECT_TRUE(std::isnan(mean.Mean()));
  EXPECT_EQ(mean.IntegralUntil(10), 0);
  ASSERT_TRUE(mean.Add(0, 4).ok());
  ASSERT_TRUE(mean.Add(5, 2).ok());
  EXPECT_DOUBLE_EQ(mean.IntegralUntil(8), 4 * 5 + 2 * 3);
  EXPECT_DOUBLE_EQ(mean.MeanUntil(8), 26.0 / 8);
  EXPECT_DOUBLE_EQ(mean.IntegralUntil(3), 20);  // before the last sample: nothing added
  EXPECT_DOUBLE_EQ(mean.elapsed(), 5);
}

TEST(TimeWeightedMean, RefusesSamplesOutOfOrderOrNotFinite) {
  TimeWeightedMean mean;
  ASSERT_TRUE(mean.Add(10, 1).ok());
  core::Status backwards = mean.Add(9, 100);
  EXPECT_EQ(backwards.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(backwards.message(), ::testing::HasSubstr("before the previous one at 10"));
  EXPECT_FALSE(mean.Add(11, std::nan("")).ok());
  EXPECT_FALSE(mean.Add(INFINITY, 1).ok());
  ASSERT_TRUE(mean.Add(12, 3).ok());
  EXPECT_DOUBLE_EQ(mean.Integral(), 2);  // the refused samples changed nothing
}

TEST(EnergyMeter, IntegratesWattsIntoJoulesAndKwh) {
  EnergyMeter energy;
  ASSERT_TRUE(energy.AddPower(0, 200).ok());     // 200 W for an hour
  ASSERT_TRUE(energy.AddPower(3600, 100).ok());  // 100 W for half an hour
  ASSERT_TRUE(energy.AddPower(5400, 0).ok());
  EXPECT_DOUBLE_EQ(energy.joules(), 200 * 3600 + 100 * 1800);
  EXPECT_DOUBLE_EQ(energy.kwh(), 0.25);
  EXPECT_DOUBLE_EQ(energy.mean_watts(), 900000.0 / 5400);
  EXPECT_DOUBLE_EQ(energy.watts(), 0);
  EXPECT_DOUBLE_EQ(energy.KwhUntil(9000), 0.25);
}

struct CostStep {
  double t;
  double jobs;
  double nodes;
};

struct CostCase {
  const char* name;
  CostOptions options;
  std::vector<CostStep> steps;
  double rate;   // at the last sample
  double total;  // by hand
  double mean_rate;
};

TEST(CostMeter, IsC1TimesJobsPlusC2TimesNodesOverTime) {
  const CostCase cases[] = {
      // Rates 1·10 + 1·2 = 12 for 5 s, 1·4 + 1·3 = 7 for 5 s, then 1·0 + 1·1 = 1.
      {"defaults", {}, {{0, 10, 2}, {5, 4, 3}, {10, 0, 1}}, 1, 12 * 5 + 7 * 5, 95.0 / 10},
      // Nodes cost 100 per second, jobs 0.5: 0.5·6 + 100·2 = 203 for 2 s, 0.5·0 + 100·1 for 1 s.
      {"expensive nodes",
       {.c1 = 0.5, .c2 = 100},
       {{1, 6, 2}, {3, 0, 1}, {4, 0, 1}},
       100,
       203 * 2 + 100 * 1,
       506.0 / 3},
      {"single sample", {.c1 = 2, .c2 = 3}, {{7, 1, 1}}, 5, 0, 5},
  };
  for (const CostCase& c : cases) {
    CostMeter meter(c.options);
    for (const CostStep& s : c.steps) ASSERT_TRUE(meter.Sample(s.t, s.jobs, s.nodes).ok());
    EXPECT_DOUBLE_EQ(meter.rate(), c.rate) << c.name;
    EXPECT_DOUBLE_EQ(meter.total(), c.total) << c.name;
    EXPECT_DOUBLE_EQ(meter.mean_rate(), c.mean_rate) << c.name;
  }
}

TEST(CostMeter, TracksMeanJobsAndNodesAndRefusesBadSamples) {
  CostMeter meter;
  EXPECT_TRUE(meter.empty());
  ASSERT_TRUE(meter.Sample(0, 10, 2).ok());
  ASSERT_TRUE(meter.Sample(5, 0, 4).ok());
  EXPECT_FALSE(meter.Sample(4, 1, 1).ok());   // back in time
  EXPECT_FALSE(meter.Sample(6, -1, 1).ok());  // negative jobs
  EXPECT_FALSE(meter.Sample(6, 1, std::nan("")).ok());
  ASSERT_TRUE(meter.Sample(10, 0, 4).ok());
  EXPECT_DOUBLE_EQ(meter.mean_jobs(), 5);
  EXPECT_DOUBLE_EQ(meter.mean_powered_nodes(), 3);
  EXPECT_DOUBLE_EQ(meter.total(), 12 * 5 + 4 * 5);
  EXPECT_DOUBLE_EQ(meter.TotalUntil(12), 80 + 4 * 2);
}

}  // namespace
}  // namespace ebb::metrics
