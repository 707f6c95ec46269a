#include "tools/replay/replay_report.h"

#include <gtest/gtest.h>

namespace ebb::replay {
namespace {

TEST(ReplayReportTest, PercentilesOfAKnownDistribution) {
  stats::LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.Add(i * 1e-3);  // 1 ms .. 1000 ms
  const LatencySummary s = Summarize(h);
  EXPECT_NEAR(s.p50_ms, 500, 500 * 0.005);
  EXPECT_NEAR(s.p95_ms, 950, 950 * 0.005);
  EXPECT_NEAR(s.p99_ms, 990, 990 * 0.005);
  EXPECT_DOUBLE_EQ(s.max_ms, 1000);
  EXPECT_NEAR(s.mean_ms, 500.5, 1e-9);
}

TEST(ReplayReportTest, EmptyHistogramIsAllZero) {
  const LatencySummary s = Summarize(stats::LatencyHistogram());
  EXPECT_EQ(s.p50_ms, 0);
  EXPECT_EQ(s.max_ms, 0);
}

TEST(ReplayReportTest, JsonHasTheIssueFields) {
  ReplayReport r;
  r.errors = {.connect = 1, .timeout = 2, .reset = 3, .status = 4, .protocol = 5};
  const nlohmann::json j = ToJson(r);
  for (const char* key : {"sent", "completed", "errors", "sla_ok_ratio", "first_byte_ms",
                          "response_ms", "schedule_lag_ms", "achieved_rps"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["errors"]["connect"], 1);
  EXPECT_EQ(j["errors"]["timeout"], 2);
  EXPECT_EQ(j["errors"]["reset"], 3);
  EXPECT_EQ(j["errors"]["status"], 4);
  EXPECT_EQ(j["errors"]["total"], 15);
  for (const char* key : {"p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(j["response_ms"].contains(key)) << key;
    EXPECT_TRUE(j["first_byte_ms"].contains(key)) << key;
  }
  EXPECT_EQ(r.errors.failed(), 11u);
}

}  // namespace
}  // namespace ebb::replay
