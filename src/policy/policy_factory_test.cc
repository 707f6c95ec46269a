#include "policy/policy_factory.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"

namespace ebb::policy {
namespace {

TEST(PolicyFactoryTest, BuildsEveryKnownName) {
  const std::vector<std::string_view> names = PolicyNames();
  EXPECT_EQ(names, (std::vector<std::string_view>{"always-on", "threshold", "dynamic-threshold",
                                                  "regression", "regression-mean", "sla-sizing",
                                                  "delayed-off", "lcp", "reserves"}));
  const core::LoadHistory history = HistoryOf({30}, 1);
  for (const std::string_view name : names) {
    SCOPED_TRACE(name);
    auto policy = MakePolicy({.name = std::string(name)});
    ASSERT_TRUE(policy.ok()) << policy.status().ToString();
    EXPECT_EQ((*policy)->Name(), name);
    const Decision d = (*policy)->Decide({.now = 1,
                                          .serving_nodes = 3,
                                          .total_nodes = 5,
                                          .node_capacity_rps = 100,
                                          .boot_s = 10,
                                          .history = &history});
    EXPECT_GE(d.target_serving, 0);
    EXPECT_LE(d.target_serving, 5);
    EXPECT_FALSE(d.reason.empty());
  }
}

TEST(PolicyFactoryTest, UnknownNameListsTheKnownOnes) {
  auto policy = MakePolicy({.name = "treshold"});
  ASSERT_FALSE(policy.ok());
  EXPECT_EQ(policy.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(policy.status().message().find("unknown policy 'treshold'"), std::string::npos);
  for (const std::string_view name : PolicyNames()) {
    EXPECT_NE(policy.status().message().find(name), std::string::npos) << name;
  }
}

TEST(PolicyFactoryTest, ValidatesOptions) {
  struct Row {
    std::string name;
    std::function<void(PolicyOptions&)> change;
    std::string error_has;  // empty: valid
  };
  const std::vector<Row> rows = {
      {"defaults", [](PolicyOptions&) {}, ""},
      {"an unknown forecast",
       [](PolicyOptions& o) {
         o.name = "sla-sizing";
         o.forecast = "arima";
       },
       "policy 'sla-sizing': unknown forecast \"arima\"; known: trend, holt-winters"},
      {"holt-winters",
       [](PolicyOptions& o) {
         o.name = "reserves";
         o.forecast = "holt-winters";
       },
       ""},
      {"sign_off neither all nor one", [](PolicyOptions& o) { o.sign_off = "some"; },
       "sign_off must be \"all\" or \"one\""},
      {"sla-sizing headroom quantile 0",
       [](PolicyOptions& o) {
         o.name = "sla-sizing";
         o.headroom_quantile = 0;
       },
       "headroom_quantile must be in (0, 1]"},
      {"overload 100% is allowed", [](PolicyOptions& o) { o.overload = 1; }, ""},
      {"overload 0", [](PolicyOptions& o) { o.overload = 0; },
       "policy 'regression': overload must be in (0, 1], got 0"},
      {"overload above 1", [](PolicyOptions& o) { o.overload = 1.5; }, "got 1.5"},
      {"overload NaN", [](PolicyOptions& o) { o.overload = std::nan(""); }, "overload must be"},
      {"threshold underload equal to overload",
       [](PolicyOptions& o) {
         o.name = "threshold";
         o.underload = 0.6;
       },
       "policy 'threshold': underload must be in [0, overload = 0.6), got 0.6"},
      {"threshold negative underload",
       [](PolicyOptions& o) {
         o.name = "threshold";
         o.underload = -0.1;
       },
       "underload must be"},
      {"underload is not read by dynamic-threshold",
       [](PolicyOptions& o) {
         o.name = "dynamic-threshold";
         o.underload = 0.9;
       },
       ""},
      {"threshold zero cycles",
       [](PolicyOptions& o) {
         o.name = "threshold";
         o.underload_cycles = 0;
       },
       "underload_cycles must be >= 1, got 0"},
      {"dynamic-threshold zero cycles",
       [](PolicyOptions& o) {
         o.name = "dynamic-threshold";
         o.underload_cycles = 0;
       },
       "policy 'dynamic-threshold': underload_cycles"},
      {"regression zero cycles", [](PolicyOptions& o) { o.underload_cycles = -1; },
       "underload_cycles must be >= 1, got -1"},
      {"regression zero history", [](PolicyOptions& o) { o.history_s = 0; },
       "history_s must be a positive number of seconds, got 0"},
      {"regression negative margin", [](PolicyOptions& o) { o.epsilon_s = -1; },
       "epsilon_s must be a non-negative number of seconds, got -1"},
      {"regression zero margin is allowed", [](PolicyOptions& o) { o.epsilon_s = 0; }, ""},
      {"regression-mean zero mean window",
       [](PolicyOptions& o) {
         o.name = "regression-mean";
         o.mean_s = 0;
       },
       "policy 'regression-mean': mean_s must be a positive number of seconds, got 0"},
      {"mean window is not read by regression", [](PolicyOptions& o) { o.mean_s = 0; }, ""},
      {"always-on reads no option",
       [](PolicyOptions& o) {
         o.name = "always-on";
         o.overload = 7;
       },
       ""},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    PolicyOptions options;
    r.change(options);
    auto policy = MakePolicy(options);
    if (r.error_has.empty()) {
      EXPECT_TRUE(policy.ok()) << policy.status().ToString();
      continue;
    }
    ASSERT_FALSE(policy.ok());
    EXPECT_EQ(policy.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(r.error_has), std::string::npos)
        << policy.status().message();
  }
}

}  // namespace
}  // namespace ebb::policy
