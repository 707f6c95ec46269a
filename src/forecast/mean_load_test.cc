#include "forecast/mean_load.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::forecast {
namespace {

TEST(MeanRateTest, Samples) {
  EXPECT_FALSE(MeanRate(std::vector<core::LoadSample>{}).has_value());
  EXPECT_DOUBLE_EQ(*MeanRate(std::vector<core::LoadSample>{{.at = 1, .rate_rps = 7}}), 7);
  EXPECT_DOUBLE_EQ(
      *MeanRate(std::vector<core::LoadSample>{
          {.at = 1, .rate_rps = 10}, {.at = 2, .rate_rps = 20}, {.at = 3, .rate_rps = 60}}),
      30);
}

TEST(MeanLoadTest, WindowIsOpenBelowClosedAbove) {
  core::LoadHistory history(16);
  for (int t = 1; t <= 10; ++t) history.Add({.at = double(t), .rate_rps = double(t)});
  struct Row {
    std::string name;
    core::Seconds now, window;
    std::optional<double> want;
  };
  const std::vector<Row> rows = {
      {"last three", 10, 3, 9.0},             // 8, 9, 10
      {"exactly one", 10, 1, 10.0},           // (9, 10]
      {"everything", 10, 100, 5.5},           // 1..10
      {"now in the past", 5, 2, 4.5},         // 4, 5; later samples excluded
      {"fractional window", 10, 2.5, 9.0},    // 8, 9, 10
      {"empty window", 20, 5, std::nullopt},  // nothing in (15, 20]
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const std::optional<double> got = MeanLoad(history, r.now, r.window);
    ASSERT_EQ(got.has_value(), r.want.has_value());
    if (got) {
      EXPECT_DOUBLE_EQ(*got, *r.want);
    }
  }
}

TEST(MeanLoadTest, RingBufferKeepsOnlyTheNewest) {
  core::LoadHistory history(3);
  for (int t = 1; t <= 10; ++t) history.Add({.at = double(t), .rate_rps = double(t)});
  EXPECT_DOUBLE_EQ(*MeanLoad(history, 10, 100), 9.0);  // 8, 9, 10
}

}  // namespace
}  // namespace ebb::forecast
