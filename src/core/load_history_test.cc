#include "core/load_history.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::core {
namespace {

std::vector<Seconds> Times(const std::vector<LoadSample>& samples) {
  std::vector<Seconds> out;
  for (const LoadSample& s : samples) out.push_back(s.at);
  return out;
}

std::vector<Seconds> Times(const LoadHistory& history) {
  std::vector<Seconds> out;
  for (std::size_t i = 0; i < history.size(); ++i) out.push_back(history[i].at);
  return out;
}

TEST(LoadHistoryTest, StartsEmpty) {
  const LoadHistory history(4);
  EXPECT_TRUE(history.empty());
  EXPECT_EQ(history.size(), 0u);
  EXPECT_EQ(history.capacity(), 4u);
  EXPECT_TRUE(history.Window(100, 100).empty());
}

TEST(LoadHistoryTest, KeepsOrderBeforeWrapping) {
  LoadHistory history(4);
  history.Add({.at = 1, .rate_rps = 10});
  history.Add({.at = 2, .rate_rps = 20});
  history.Add({.at = 3, .rate_rps = 30});
  EXPECT_EQ(history.size(), 3u);
  EXPECT_EQ(Times(history), (std::vector<Seconds>{1, 2, 3}));
  EXPECT_EQ(history[1].rate_rps, 20);
  EXPECT_EQ(history.Latest().at, 3);
  EXPECT_EQ(history.Latest().rate_rps, 30);
}

TEST(LoadHistoryTest, RingWrapDropsTheOldest) {
  LoadHistory history(3);
  for (int t = 1; t <= 7; ++t) {
    history.Add({.at = static_cast<Seconds>(t), .rate_rps = 10.0 * t});
    EXPECT_EQ(history.size(), std::min<std::size_t>(t, 3));
    EXPECT_EQ(history.Latest().at, t);
  }
  EXPECT_EQ(history.capacity(), 3u);
  EXPECT_EQ(Times(history), (std::vector<Seconds>{5, 6, 7}));
  EXPECT_EQ(history[0].rate_rps, 50);
  EXPECT_EQ(history[2].rate_rps, 70);
}

TEST(LoadHistoryTest, WrapAtExactlyTheCapacity) {
  LoadHistory history(3);
  for (int t = 1; t <= 3; ++t) history.Add({.at = static_cast<Seconds>(t), .rate_rps = 1});
  EXPECT_EQ(Times(history), (std::vector<Seconds>{1, 2, 3}));
  history.Add({.at = 4, .rate_rps = 1});
  EXPECT_EQ(Times(history), (std::vector<Seconds>{2, 3, 4}));
}

TEST(LoadHistoryTest, CapacityOne) {
  LoadHistory history(1);
  history.Add({.at = 1, .rate_rps = 5});
  history.Add({.at = 2, .rate_rps = 6});
  EXPECT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].at, 2);
  EXPECT_EQ(history.Latest().rate_rps, 6);
}

TEST(LoadHistoryTest, WindowBounds) {
  LoadHistory history(10);
  for (int t = 1; t <= 6; ++t) history.Add({.at = static_cast<Seconds>(t), .rate_rps = 1});
  struct Row {
    Seconds now;
    Seconds window;
    std::vector<Seconds> want;
  };
  const Row rows[] = {
      {6, 3, {4, 5, 6}},    // (3, 6]: the lower bound is excluded
      {6, 2.5, {4, 5, 6}},  // (3.5, 6]
      {5, 2, {4, 5}},       // the sample at 6 is after now
      {6, 100, {1, 2, 3, 4, 5, 6}},
      {6, 0, {}},     // (6, 6] is empty
      {0.5, 10, {}},  // before every sample
      {20, 5, {}},    // after every sample
      {4.5, 1, {4}},  // between samples
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(::testing::Message() << "now " << row.now << " window " << row.window);
    EXPECT_EQ(Times(history.Window(row.now, row.window)), row.want);
  }
}

TEST(LoadHistoryTest, WindowAfterWrapIsOldestFirst) {
  LoadHistory history(3);
  for (int t = 1; t <= 5; ++t) history.Add({.at = static_cast<Seconds>(t), .rate_rps = 1.0 * t});
  const std::vector<LoadSample> window = history.Window(5, 10);
  EXPECT_EQ(Times(window), (std::vector<Seconds>{3, 4, 5}));
  EXPECT_EQ(window.front().rate_rps, 3);
  EXPECT_EQ(window.back().rate_rps, 5);
}

TEST(LoadHistoryDeathTest, ZeroCapacityIsAProgrammingError) {
  EXPECT_DEATH(LoadHistory(0), "check failed");
}

}  // namespace
}  // namespace ebb::core
