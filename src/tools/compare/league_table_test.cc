#include "tools/compare/league_table.h"

#include <sstream>

#include <gtest/gtest.h>

namespace ebb::compare {
namespace {

nlohmann::json Summary(double boots, double simulated_s) {
  return {{"sla_ok_ratio", 0.9875},    {"response_time_s", {{"p99", 1.25}}}, {"energy_kwh", 3.5},
          {"saving_ratio", 0.4},       {"share_of_optimum_saving", 0.8},     {"boots", boots},
          {"simulated_s", simulated_s}};
}

TEST(LeagueTableTest, RowTakesTheSummaryAndCountsBootsPerNodePerDay) {
  nlohmann::json summary = Summary(24, 43200);  // 24 boots on 4 nodes in half a day
  auto row = MakeLeagueRow("day", "threshold", summary, 4);
  ASSERT_TRUE(row.ok()) << row.status().message();
  EXPECT_DOUBLE_EQ(row->boots_per_node_day, 12);
  EXPECT_DOUBLE_EQ(row->sla_share, 0.9875);
  EXPECT_DOUBLE_EQ(row->p99_s, 1.25);
  EXPECT_FALSE(row->cost.has_value());
  summary["cost"] = {{"c1", 1}, {"c2", 2}, {"mean", 0.125}, {"jobs", 3}, {"powered", 2}};
  row = MakeLeagueRow("day", "threshold", summary, 4);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->cost, 0.125);
}

TEST(LeagueTableTest, MissingKeyIsNamed) {
  nlohmann::json summary = Summary(1, 100);
  summary["response_time_s"].erase("p99");
  auto row = MakeLeagueRow("day", "threshold", summary, 4);
  ASSERT_FALSE(row.ok());
  EXPECT_NE(row.status().message().find("/response_time_s/p99"), std::string::npos);
}

TEST(LeagueTableTest, TextIsAlignedAndCostMayBeAbsent) {
  auto a = MakeLeagueRow("a-rather-long-trace-name", "threshold", Summary(2, 86400), 2);
  nlohmann::json with_cost = Summary(2, 86400);
  with_cost["cost"] = {{"mean", 7.5}};
  auto b = MakeLeagueRow("b", "regression-mean", with_cost, 2);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<LeagueRow> rows = {*a, *b};
  std::istringstream text(LeagueText(rows));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].size(), lines[1].size());
  EXPECT_EQ(lines[1].size(), lines[2].size());
  EXPECT_EQ(lines[1].back(), '-');
  EXPECT_NE(lines[2].find("7.5"), std::string::npos);
  EXPECT_NE(lines[1].find("98.750"), std::string::npos);  // SLA share in percent

  const nlohmann::ordered_json json = LeagueJson(rows);
  ASSERT_EQ(json.size(), 2u);
  EXPECT_TRUE(json[0]["cost"].is_null());
  EXPECT_EQ(json[1]["cost"], 7.5);
  EXPECT_EQ(json[1]["policy"], "regression-mean");

  const std::string csv = LeagueCsv(rows);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
  EXPECT_NE(csv.find("\nb,regression-mean,0.9875,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",1,\n"), std::string::npos) << csv;  // 2 boots / 2 nodes / 1 day, no cost
}

}  // namespace
}  // namespace ebb::compare
