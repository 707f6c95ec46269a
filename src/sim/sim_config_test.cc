// Loading `ebb simulate` configurations: defaults, overrides, and errors that name file:line.
#include "sim/sim_config.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace ebb::sim {
namespace {

class SimConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ebb_sim_config_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "trace.csv") << "unix_time,requests\n100,1\n101,2\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& text) {
    const auto path = dir_ / "sim.toml";
    std::ofstream(path) << text;
    return path.string();
  }
  std::string ErrorOf(const std::string& text, const std::vector<std::string>& overrides = {}) {
    auto config = LoadSimConfig(Write(text), overrides);
    EXPECT_FALSE(config.ok());
    return config.ok() ? "" : config.status().message();
  }

  std::filesystem::path dir_;
};

constexpr const char* kValid = R"(
[cluster]
nodes = 4
maxconn = 2
boot_s = 30
shutdown_s = 5
service_time = { dist = "lognormal", mean_s = 0.2, scv = 2 }
power = { off_w = 3, boot_w = 120, idle_w = 90, busy_w = 180 }

[balancer]
algorithm = "roundrobin"
queue_timeout_s = 10

[workload]
trace = "trace.csv"
arrivals = "exact"
scale = 2.5
speedup = 2
start = "1970-01-01 00:01:40"
duration_s = 60

[policy]
name = "threshold"
interval_s = 2
min_nodes = 2
overload = 0.7
underload = 0.3

[sla]
response_s = 3

[sim]
seed = 42
)";

TEST_F(SimConfigTest, ReadsEveryKey) {
  auto c = LoadSimConfig(Write(kValid));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes, 4);
  EXPECT_EQ(c->maxconn, 2);
  EXPECT_EQ(c->boot_s, 30);
  EXPECT_EQ(c->capacity_rps, 2 / 0.2);  // default: maxconn / mean service time
  EXPECT_EQ(c->service_time.kind, workload::ServiceTimeKind::kLogNormal);
  EXPECT_EQ(c->service_time.scv, 2);
  EXPECT_EQ(c->power.idle_w, 90);
  EXPECT_EQ(c->power.shutdown_w, 90);  // defaults to idle
  EXPECT_EQ(c->algorithm, lb::Algorithm::kRoundRobin);
  EXPECT_EQ(c->workload.trace, (dir_ / "trace.csv").string());  // relative to the file
  EXPECT_EQ(c->workload.arrivals, workload::ArrivalMode::kExact);
  EXPECT_EQ(c->workload.scale, 2.5);
  EXPECT_EQ(*c->workload.start, 100);
  EXPECT_EQ(*c->workload.duration_s, 60);
  EXPECT_EQ(c->policy.name, "threshold");
  EXPECT_EQ(c->policy.overload, 0.7);
  EXPECT_EQ(c->controller.interval_s, 2);
  EXPECT_EQ(c->controller.guard.min_serving, 2);
  EXPECT_EQ(c->controller.guard.max_serving, 4);
  EXPECT_EQ(c->sla_s, 3);
  EXPECT_EQ(c->seed, 42u);
  const auto specs = c->NodeSpecs();
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[3].name, "web4");
}

TEST_F(SimConfigTest, OverridesReplaceValuesAndAcceptBareStrings) {
  auto c = LoadSimConfig(Write(kValid), {"cluster.nodes=12", "policy.name=regression",
                                         "cluster.service_time.mean_s=0.5", "sim.seed=7"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nodes, 12);
  EXPECT_EQ(c->policy.name, "regression");
  EXPECT_EQ(c->service_time.mean_s, 0.5);
  EXPECT_EQ(c->seed, 7u);
}

struct BadCase {
  const char* what;
  std::string text;
  std::vector<std::string> overrides;
  std::string expected;  // a substring of the error
};

TEST_F(SimConfigTest, BadInputNamesFileLineAndField) {
  const std::string path = (dir_ / "sim.toml").string();
  const std::vector<BadCase> cases = {
      {"unknown key", "[cluster]\nnodez = 3\n", {}, path + ":2: unknown key \"cluster.nodez\""},
      {"unknown section", "[clusterr]\n", {}, path + ":1: unknown key \"clusterr\""},
      {"wrong type",
       "[cluster]\nnodes = \"ten\"\n",
       {},
       path + ":2: cluster.nodes: expected an integer in [1, 1000000], got \"ten\""},
      {"out of range",
       "[policy]\noverload = 1.5\n",
       {},
       "policy.overload: expected a number > 0 and <= 1, got 1.5"},
      {"unknown policy",
       "[policy]\nname = \"magic\"\n[workload]\ntrace = \"trace.csv\"\n",
       {},
       "unknown policy 'magic'"},
      {"unknown distribution",
       "[cluster]\nservice_time = { dist = \"pareto\" }\n",
       {},
       path + ":2: cluster.service_time.dist: unknown distribution \"pareto\""},
      {"unknown algorithm",
       "[balancer]\nalgorithm = \"random\"\n",
       {},
       "balancer.algorithm: unknown algorithm \"random\""},
      {"syntax error", "[cluster\nnodes = 3\n", {}, path + ":1:"},
      {"bad start",
       "[workload]\nstart = \"yesterday\"\n",
       {},
       path + ":2: workload.start: expected Unix seconds or a UTC date-time"},
      {"no workload", "[cluster]\nnodes = 3\n", {}, "give workload.trace, or workload.rate_rps"},
      {"min above nodes",
       "[cluster]\nnodes = 2\n[policy]\nmin_nodes = 3\n[workload]\ntrace=\"t\"\n",
       {},
       "policy.min_nodes (3) exceeds cluster.nodes (2)"},
      {"bad override type",
       "[workload]\ntrace = \"trace.csv\"\n",
       {"cluster.nodes=-1"},
       "--set cluster.nodes=-1:1: cluster.nodes: expected an integer in [1, 1000000], got -1"},
      // Crash inputs of fuzz/sim_config_fuzzer (fuzz/corpus/sim_config/crash-*): the quotients
      // overflowed, one into an infinite capacity, one into a cast of infinity to size_t (UB).
      {"capacity overflows",
       "[cluster]\nmaxconn = 1000\nservice_time = { dist = \"exponential\", mean_s = 1e-310 }\n"
       "[workload]\nrate_rps = 1\nduration_s = 1\n",
       {},
       path + ": cluster.capacity_rps: maxconn / service_time.mean_s is not finite"},
      {"history overflows",
       "[workload]\nrate_rps = 1\nduration_s = 1\n"
       "[policy]\nname = \"regression\"\ninterval_s = 1e-300\nhistory_s = 1e300\n",
       {},
       path + ": policy: history_s and mean_s of up to 1e+300 s at interval_s = 1e-300 s need more "
              "than 10000000 load samples"},
      {"history too long",
       "[workload]\nrate_rps = 1\nduration_s = 1\n"
       "[policy]\nname = \"regression\"\ninterval_s = 1\nhistory_s = 1e9\n",
       {},
       "need more than 10000000 load samples"},
      {"override into a value", "[sim]\nseed = 1\n", {"sim.seed.x=1"}, "\"seed\" is not a table"},
      {"override without =",
       "[workload]\ntrace = \"trace.csv\"\n",
       {"cluster.nodes"},
       "expected key.path=value"},
  };
  for (const BadCase& c : cases) {
    const std::string error = ErrorOf(c.text, c.overrides);
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << c.what << ":\n  got:      " << error << "\n  expected: " << c.expected;
  }
}

TEST_F(SimConfigTest, ReportsEveryErrorAtOnce) {
  const std::string error = ErrorOf("[cluster]\nnodes = 0\nmaxconn = 0\n");
  EXPECT_NE(error.find("cluster.nodes"), std::string::npos) << error;
  EXPECT_NE(error.find("cluster.maxconn"), std::string::npos) << error;
}

TEST_F(SimConfigTest, MissingFileIsNotFound) {
  auto c = LoadSimConfig((dir_ / "nope.toml").string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(c.status().message().find("nope.toml"), std::string::npos);
}

}  // namespace
}  // namespace ebb::sim
