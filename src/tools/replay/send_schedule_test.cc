#include "tools/replay/send_schedule.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::replay {
namespace {

namespace fs = std::filesystem;

class SendScheduleTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ebb_schedule_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }
  static std::vector<double> Drain(SendSchedule& s) {
    std::vector<double> out;
    while (std::isfinite(s.Peek()) && out.size() < 100000) {
      out.push_back(s.Peek());
      s.Pop();
    }
    return out;
  }
  fs::path dir_;
};

TEST_F(SendScheduleTest, PerRequestTimesCountFromTheFirstAndFollowSpeedup) {
  const std::string trace = Write("req.txt", "1000.0\n1000.5\n1001.0\n1003.0\n");
  // Exact: each record is one request (poisson would send Poisson(1) copies of each).
  auto s = ArrivalsSchedule::Open(
      {.trace = trace, .arrivals = workload::ArrivalMode::kExact, .speedup = 2}, 1);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::vector<double> times = Drain(**s);
  ASSERT_EQ(times.size(), 4u);
  EXPECT_DOUBLE_EQ(times[0], 0);
  EXPECT_DOUBLE_EQ(times[1], 0.25);
  EXPECT_DOUBLE_EQ(times[2], 0.5);
  EXPECT_DOUBLE_EQ(times[3], 1.5);
}

TEST_F(SendScheduleTest, ExactPerSecondCountsScaledAndCutAtTheDuration) {
  const std::string trace =
      Write("sec.csv", "unix_time,requests\n100,10\n101,10\n102,10\n103,10\n");
  auto s = ArrivalsSchedule::Open(
      {.trace = trace, .arrivals = workload::ArrivalMode::kExact, .scale = 2}, 7, 2.0);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const std::vector<double> times = Drain(**s);
  ASSERT_EQ(times.size(), 40u);  // two seconds of 20 requests
  for (std::size_t i = 1; i < times.size(); ++i) EXPECT_LE(times[i - 1], times[i]);
  EXPECT_GE(times.front(), 0);
  EXPECT_LT(times.back(), 2.0);
  EXPECT_EQ(std::count_if(times.begin(), times.end(), [](double t) { return t < 1; }), 20);
}

TEST_F(SendScheduleTest, PoissonIsDeterministicForASeed) {
  const std::string trace = Write("sec.csv", "unix_time,requests\n100,500\n101,500\n");
  auto a = ArrivalsSchedule::Open({.trace = trace}, 3);
  auto b = ArrivalsSchedule::Open({.trace = trace}, 3);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<double> ta = Drain(**a);
  EXPECT_EQ(ta, Drain(**b));
  EXPECT_NEAR(static_cast<double>(ta.size()), 1000, 5 * std::sqrt(1000.0));
}

TEST_F(SendScheduleTest, ErrorsAreValues) {
  EXPECT_EQ(ArrivalsSchedule::Open({.trace = (dir_ / "missing.csv").string()}, 1).status().code(),
            core::StatusCode::kNotFound);
  const std::string trace = Write("sec.csv", "unix_time,requests\n100,5\n");
  EXPECT_FALSE(ArrivalsSchedule::Open({.trace = trace}, 1, 0.0).ok());
  const std::string bad = Write("bad.csv", "unix_time,requests\n100,5\n101,oops\n");
  // A bad line fails Open itself: nothing is sent from a trace that is not whole.
  auto s = ArrivalsSchedule::Open({.trace = bad, .arrivals = workload::ArrivalMode::kExact}, 1);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find(bad + ":3:"), std::string::npos) << s.status().message();
}

TEST(ListScheduleTest, PlaysItsList) {
  ListSchedule s({0, 0.5});
  EXPECT_EQ(s.Peek(), 0);
  s.Pop();
  EXPECT_EQ(s.Peek(), 0.5);
  s.Pop();
  EXPECT_TRUE(std::isinf(s.Peek()));
}

TEST_F(SendScheduleTest, AMalformedLineAnywhereFailsBeforeTheFirstSend) {
  std::string text = "unix_time,requests\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(100 + i) + ",3\n";
  text += "1100,three\n";
  const std::string path = Write("late_error.csv", text);
  auto schedule = ArrivalsSchedule::Open({.trace = path}, 1, /*duration_s=*/5.0);
  ASSERT_FALSE(schedule.ok());
  EXPECT_NE(schedule.status().message().find(path + ":1002: field 'requests'"), std::string::npos)
      << schedule.status().message();
}

}  // namespace
}  // namespace ebb::replay
