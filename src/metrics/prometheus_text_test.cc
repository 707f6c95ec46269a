#include "metrics/prometheus_text.h"

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

namespace ebb::metrics {
namespace {

using ::testing::HasSubstr;

TEST(PrometheusText, WritesEachFamilyOnceWithItsSamples) {
  PrometheusText text;
  ASSERT_TRUE(text.Declare("ebb_nodes", MetricType::kGauge, "Nodes by state.").ok());
  ASSERT_TRUE(text.Declare("ebb_boots_total", MetricType::kCounter, "Power-ons since start.").ok());
  ASSERT_TRUE(text.Add("ebb_nodes", {{"state", "ONLINE"}}, 3).ok());
  ASSERT_TRUE(text.Add("ebb_boots_total", {}, 7).ok());
  // Samples of a family added after another family's still land under their own header.
  ASSERT_TRUE(text.Add("ebb_nodes", {{"state", "DOWN"}}, 2).ok());
  ASSERT_TRUE(text.Declare("ebb_nodes", MetricType::kGauge, "Nodes by state.").ok());
  EXPECT_EQ(text.Render(),
            "# HELP ebb_nodes Nodes by state.\n"
            "# TYPE ebb_nodes gauge\n"
            "ebb_nodes{state=\"ONLINE\"} 3\n"
            "ebb_nodes{state=\"DOWN\"} 2\n"
            "# HELP ebb_boots_total Power-ons since start.\n"
            "# TYPE ebb_boots_total counter\n"
            "ebb_boots_total 7\n");
}

TEST(PrometheusText, EscapesLabelValuesAndHelp) {
  PrometheusText text;
  ASSERT_TRUE(text.Declare("ebb_info", MetricType::kGauge, "A \"quoted\" back\\slash\nline").ok());
  ASSERT_TRUE(text.Add("ebb_info", {{"server", "we\"b\\1\nx"}, {"backend", "app"}}, 1).ok());
  EXPECT_EQ(text.Render(),
            "# HELP ebb_info A \"quoted\" back\\\\slash\\nline\n"
            "# TYPE ebb_info gauge\n"
            "ebb_info{server=\"we\\\"b\\\\1\\nx\",backend=\"app\"} 1\n");
}

struct ValueCase {
  double value;
  const char* text;
};

TEST(FormatSampleValue, PrintsSpecialValuesAndIntegersAsPrometheusReadsThem) {
  const ValueCase cases[] = {
      {0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-42, "-42"},
      {1e6, "1000000"},
      {123456789012, "123456789012"},
      {9007199254740992.0, "9007199254740992"},  // 2^53, still exact
      {0.5, "0.5"},
      {0.1, "0.1"},
      {1.0 / 3, "0.3333333333333333"},
      {2.5e-7, "2.5e-07"},
      {1e300, "1e+300"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
  };
  for (const ValueCase& c : cases) EXPECT_EQ(FormatSampleValue(c.value), c.text) << c.text;
}

TEST(PrometheusText, AddIntegerKeepsEveryDigit) {
  PrometheusText text;
  ASSERT_TRUE(text.Declare("ebb_bytes_total", MetricType::kCounter, "Bytes.").ok());
  ASSERT_TRUE(text.AddInteger("ebb_bytes_total", {}, 18446744073709551615ull).ok());
  EXPECT_THAT(text.Render(), HasSubstr("ebb_bytes_total 18446744073709551615\n"));
}

TEST(PrometheusText, RefusesWhatPrometheusWouldRefuse) {
  PrometheusText text;
  EXPECT_FALSE(text.Declare("1abc", MetricType::kGauge, "").ok());
  EXPECT_FALSE(text.Declare("ebb-nodes", MetricType::kGauge, "").ok());
  EXPECT_FALSE(text.Declare("", MetricType::kGauge, "").ok());
  EXPECT_FALSE(text.Declare("ebb_boots", MetricType::kCounter, "").ok());  // no _total
  ASSERT_TRUE(text.Declare("ebb:nodes_by_state", MetricType::kGauge, "recording rule name").ok());
  EXPECT_FALSE(text.Declare("ebb:nodes_by_state", MetricType::kCounter, "other").ok());
  ASSERT_TRUE(text.Declare("ebb_x_total", MetricType::kCounter, "x").ok());

  core::Status undeclared = text.Add("ebb_missing", {}, 1);
  EXPECT_EQ(undeclared.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(undeclared.message(), HasSubstr("ebb_missing"));
  EXPECT_FALSE(text.Add("ebb_x_total", {}, -1).ok());
  EXPECT_FALSE(text.Add("ebb_x_total", {{"a:b", "v"}}, 1).ok());
  EXPECT_FALSE(text.Add("ebb_x_total", {{"__name__", "v"}}, 1).ok());
  EXPECT_FALSE(text.Add("ebb_x_total", {{"a", "1"}, {"a", "2"}}, 1).ok());
  ASSERT_TRUE(text.Add("ebb_x_total", {{"a", "1"}, {"b", "2"}}, 1).ok());
  // The same label set in another order is the same series.
  core::Status duplicate = text.Add("ebb_x_total", {{"b", "2"}, {"a", "1"}}, 1);
  EXPECT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.message(), HasSubstr("ebb_x_total"));
  ASSERT_TRUE(text.Add("ebb_x_total", {{"a", "1"}, {"b", "3"}}, 1).ok());
}

// What `promtool check metrics` checks of a page: every line a comment or a sample, each
// family's HELP and TYPE once and before its samples, samples of a family together, valid names,
// counters ending in _total, and values that parse.
void ExpectValidExposition(const std::string& page) {
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? )"
      R"((NaN|[+-]Inf|-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?))");
  std::set<std::string> finished;
  std::map<std::string, std::string> types;
  std::string current;
  std::istringstream lines(page);
  std::string line;
  ASSERT_FALSE(page.empty());
  ASSERT_EQ(page.back(), '\n');
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, help)) {
      if (!current.empty()) finished.insert(current);
      current = match[1];
      EXPECT_FALSE(finished.count(current)) << "family written twice: " << current;
    } else if (std::regex_match(line, match, type)) {
      EXPECT_EQ(match[1], current) << line;
      types[current] = match[2];
      if (match[2] == "counter") {
        EXPECT_TRUE(current.ends_with("_total")) << current;
      }
    } else if (std::regex_match(line, match, sample)) {
      EXPECT_EQ(match[1], current) << "sample outside its family: " << line;
      EXPECT_TRUE(types.count(current)) << "sample before TYPE: " << line;
    } else {
      ADD_FAILURE() << "not a valid exposition line: " << line;
    }
  }
}

TEST(ExpectValidExposition, CatchesBrokenPages) {
  EXPECT_NONFATAL_FAILURE(ExpectValidExposition("# HELP a x\n# TYPE a gauge\na 1\n"
                                                "# HELP b x\n# TYPE b gauge\nb 1\n"
                                                "# HELP a x\n# TYPE a gauge\na{l=\"2\"} 1\n"),
                          "family written twice");
  EXPECT_NONFATAL_FAILURE(ExpectValidExposition("# HELP c x\n# TYPE c counter\nc 1\n"), "c");
  EXPECT_NONFATAL_FAILURE(
      ExpectValidExposition("# HELP a x\n# TYPE a gauge\na{l=\"un\"escaped\"} 1\n"),
      "not a valid exposition line");
  EXPECT_NONFATAL_FAILURE(ExpectValidExposition("# HELP a x\n# TYPE a gauge\nb 1\n"),
                          "sample outside its family");
}

TEST(PrometheusText, ARealisticPageFollowsTheExpositionRules) {
  PrometheusText text;
  ASSERT_TRUE(text.Declare("ebb_node_state", MetricType::kGauge, "1 for the node's state.").ok());
  ASSERT_TRUE(text.Declare("ebb_power_ons_total", MetricType::kCounter, "Power-ons.").ok());
  ASSERT_TRUE(text.Declare("ebb_rate_rps", MetricType::kGauge, "Arrival rate.").ok());
  for (int i = 0; i < 5; ++i) {
    const std::string node = "web" + std::to_string(i);
    ASSERT_TRUE(text.Add("ebb_power_ons_total", {{"node", node}}, i * 3).ok());
    ASSERT_TRUE(text.Add("ebb_node_state", {{"node", node}, {"state", "ONLINE"}}, 1).ok());
    ASSERT_TRUE(text.Add("ebb_node_state", {{"node", node}, {"state", "DOWN"}}, 0).ok());
  }
  ASSERT_TRUE(text.Add("ebb_node_state", {{"node", "odd\"name\\\n"}, {"state", "DOWN"}}, 0).ok());
  ASSERT_TRUE(text.Add("ebb_rate_rps", {}, std::nan("")).ok());
  ASSERT_TRUE(text.Add("ebb_rate_rps", {{"window", "5m"}}, 12.75).ok());
  ExpectValidExposition(text.Render());
}

}  // namespace
}  // namespace ebb::metrics
