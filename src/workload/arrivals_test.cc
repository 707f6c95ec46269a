// Arrivals from traces: windows, scale, speedup, Poisson and exact spreading, and the bins the
// offline optimum is told about.
#include "workload/arrivals.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::workload {
namespace {

class RecordingObserver final : public BinObserver {
 public:
  void AddSpread(core::Seconds begin, core::Seconds end, double expected) override {
    total += expected;
    last_end = end;
    (void)begin;
  }
  void AddPoint(core::Seconds at, double expected) override {
    total += expected;
    last_end = at;
  }
  double total = 0;
  double last_end = 0;
};

class ArrivalsTest : public testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() /
             ("ebb_arrivals_" + std::to_string(::getpid()) + ".csv"))
                .string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  void WriteTrace(const std::string& text) { std::ofstream(path_) << text; }
  std::vector<double> All(WorkloadOptions options, std::uint64_t seed = 1,
                          BinObserver* observer = nullptr) {
    auto arrivals = Arrivals::Open(options, seed, observer);
    EXPECT_TRUE(arrivals.ok()) << arrivals.status().ToString();
    std::vector<double> times;
    if (!arrivals.ok()) return times;
    while (!std::isinf((*arrivals)->Peek())) {
      times.push_back((*arrivals)->Peek());
      (*arrivals)->Pop();
    }
    EXPECT_TRUE((*arrivals)->status().ok());
    end_ = (*arrivals)->end();
    return times;
  }
  std::string path_;
  double end_ = 0;
};

TEST_F(ArrivalsTest, ExactModeKeepsEachBinsCountInsideTheBin) {
  WriteTrace("unix_time,requests\n1000,3\n1001,0\n1002,5\n");
  WorkloadOptions o{.trace = path_, .arrivals = ArrivalMode::kExact};
  RecordingObserver observer;
  const std::vector<double> t = All(o, 1, &observer);
  ASSERT_EQ(t.size(), 8u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(t[i] >= 0 && t[i] < 1) << t[i];
  for (int i = 3; i < 8; ++i) EXPECT_TRUE(t[i] >= 2 && t[i] < 3) << t[i];
  EXPECT_TRUE(std::is_sorted(t.begin(), t.end()));
  EXPECT_DOUBLE_EQ(observer.total, 8);
  EXPECT_DOUBLE_EQ(end_, 3);
}

TEST_F(ArrivalsTest, WindowScaleAndSpeedup) {
  WriteTrace("unix_time,requests\n1000,10\n1001,10\n1002,10\n1003,10\n");
  WorkloadOptions o{.trace = path_,
                    .arrivals = ArrivalMode::kExact,
                    .scale = 2,
                    .speedup = 2,
                    .start = 1001,
                    .duration_s = 2};
  const std::vector<double> t = All(o);
  ASSERT_EQ(t.size(), 40u);  // two seconds of 10, doubled
  EXPECT_GE(t.front(), 0);
  EXPECT_LT(t.back(), 1);  // two trace seconds at speedup 2
  EXPECT_DOUBLE_EQ(end_, 1);
}

TEST_F(ArrivalsTest, PoissonCountsHaveTheTracesMeanAndVariance) {
  std::string text = "unix_time,requests\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(5000 + i) + ",4\n";
  WriteTrace(text);
  const std::vector<double> t = All({.trace = path_, .arrivals = ArrivalMode::kPoisson});
  std::vector<int> per_second(20000, 0);
  for (double x : t) ++per_second[static_cast<int>(x)];
  double mean = 0, var = 0;
  for (int c : per_second) mean += c / 20000.0;
  for (int c : per_second) var += (c - mean) * (c - mean) / 19999.0;
  EXPECT_NEAR(mean, 4, 0.05);
  EXPECT_NEAR(var, 4, 0.15);  // Poisson: variance = mean
}

TEST_F(ArrivalsTest, PerMinuteBinsSpreadOverTheMinute) {
  WriteTrace("period,count\n1998-05-01 00:00:00,120\n1998-05-01 00:02:00,60\n");
  const std::vector<double> t = All({.trace = path_, .arrivals = ArrivalMode::kExact});
  ASSERT_EQ(t.size(), 180u);
  EXPECT_LT(t[119], 60);
  EXPECT_GE(t[120], 120);
  EXPECT_DOUBLE_EQ(end_, 180);
}

TEST_F(ArrivalsTest, PerRequestTimesAreKeptAndScaled) {
  WriteTrace("10.5\n11.25\n11.25\n14\n");
  EXPECT_EQ(All({.trace = path_, .arrivals = ArrivalMode::kExact}),
            (std::vector<double>{0, 0.75, 0.75, 3.5}));
  const std::vector<double> doubled =
      All({.trace = path_, .arrivals = ArrivalMode::kExact, .scale = 2});
  EXPECT_EQ(doubled.size(), 8u);
}

TEST_F(ArrivalsTest, ConstantRate) {
  const std::vector<double> t =
      All({.rate_rps = 100, .arrivals = ArrivalMode::kPoisson, .duration_s = 100});
  EXPECT_NEAR(static_cast<double>(t.size()), 10000, 400);
  EXPECT_DOUBLE_EQ(end_, 100);
}

TEST_F(ArrivalsTest, SameSeedSameTimes) {
  WriteTrace("unix_time,requests\n1,7\n2,3\n3,9\n");
  EXPECT_EQ(All({.trace = path_}, 5), All({.trace = path_}, 5));
  EXPECT_NE(All({.trace = path_}, 5), All({.trace = path_}, 6));
}

TEST_F(ArrivalsTest, MalformedLineEndsWithItsError) {
  WriteTrace("unix_time,requests\n1,7\n2,x\n");
  auto arrivals = Arrivals::Open({.trace = path_}, 1);
  ASSERT_TRUE(arrivals.ok());
  while (!std::isinf((*arrivals)->Peek())) (*arrivals)->Pop();
  ASSERT_FALSE((*arrivals)->status().ok());
  EXPECT_NE((*arrivals)->status().message().find(":3:"), std::string::npos)
      << (*arrivals)->status().message();
}

TEST_F(ArrivalsTest, BadOptionsAreRejected) {
  EXPECT_FALSE(Arrivals::Open({.rate_rps = 5}, 1).ok());  // no duration
  EXPECT_FALSE(Arrivals::Open({.rate_rps = 5, .speedup = 0, .duration_s = 1}, 1).ok());
  auto missing = Arrivals::Open({.trace = path_ + ".missing"}, 1);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace ebb::workload
