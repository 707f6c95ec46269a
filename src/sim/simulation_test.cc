// The simulator against queueing theory, and its determinism.
#include "sim/simulation.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "policy/policy_factory.h"
#include "queueing/erlang_c.h"
#include "sim/report_writer.h"

namespace ebb::sim {
namespace {

using queueing::ErlangC;

SimConfig AlwaysOn(int nodes, int maxconn, double rate, double mean_s, double duration_s) {
  SimConfig c;
  c.nodes = nodes;
  c.maxconn = maxconn;
  c.service_time = {.kind = workload::ServiceTimeKind::kExponential, .mean_s = mean_s, .scv = 1};
  c.capacity_rps = maxconn / mean_s;
  c.queue_timeout_s = 1e12;
  c.sla_s = 1e12;
  c.workload.rate_rps = rate;
  c.workload.duration_s = duration_s;
  c.policy.name = "always-on";
  c.seed = 7;
  return c;
}

struct MmcCase {
  int nodes;
  int maxconn;
  double rate;
  double mean_s;
};
void PrintTo(const MmcCase& c, std::ostream* out) {
  *out << c.nodes << " nodes x maxconn " << c.maxconn << ", " << c.rate << "/s";
}

class MmcTest : public testing::TestWithParam<MmcCase> {};

// A node with maxconn k serves k requests at once, each at its own rate: with every node always
// on, the cluster is M/M/(nodes * k).
TEST_P(MmcTest, MeanResponseTimeMatchesErlangC) {
  const MmcCase p = GetParam();
  const int c = p.nodes * p.maxconn;
  const double mu = 1 / p.mean_s;
  const double a = p.rate / mu;
  const double expected = p.mean_s + ErlangC(c, a) / (c * mu - p.rate);
  // About 2.7 million requests: the mean of an M/M/c at rho 0.9 settles well within 2 %.
  const double duration = 2.7e6 / p.rate;
  auto result = RunSimulation(AlwaysOn(p.nodes, p.maxconn, p.rate, p.mean_s, duration));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->completed, result->requests);
  EXPECT_NEAR(result->response_time_s.mean, expected, 0.02 * expected)
      << "c=" << c << " rho=" << a / c;
  // Mitrani's cost: L by Little's law (lambda * E[T]), S all nodes, with c1 = c2 = 1.
  EXPECT_NEAR(result->mean_jobs, p.rate * expected, 0.02 * p.rate * expected);
  EXPECT_DOUBLE_EQ(result->mean_powered_nodes, p.nodes);
  EXPECT_DOUBLE_EQ(result->mean_cost, result->mean_jobs + result->mean_powered_nodes);
}

INSTANTIATE_TEST_SUITE_P(Rho90, MmcTest,
                         testing::Values(MmcCase{10, 1, 90, 0.1},  // the acceptance case
                                         MmcCase{1, 10, 90, 0.1},  // one node, maxconn 10
                                         MmcCase{5, 2, 90, 0.1},   // mixed
                                         MmcCase{1, 1, 9, 0.1}));  // M/M/1

// M/G/1 (Pollaczek-Khinchine): W = 1/mu + rho (1 + SCV) / (2 mu (1 - rho)). Checks that the
// deterministic and log-normal service times have the variance they claim.
TEST(SimulationTest, MG1MatchesPollaczekKhinchine) {
  for (auto [kind, scv] : {std::pair{workload::ServiceTimeKind::kDeterministic, 0.0},
                           std::pair{workload::ServiceTimeKind::kLogNormal, 3.0}}) {
    SimConfig c = AlwaysOn(1, 1, 7, 0.1, 400000);
    c.service_time = {.kind = kind,
                      .mean_s = 0.1,
                      .scv = kind == workload::ServiceTimeKind::kDeterministic ? 1.0 : scv};
    const double rho = 0.7;
    const double expected = 0.1 + rho * (1 + scv) * 0.1 / (2 * (1 - rho));
    auto result = RunSimulation(c);
    ASSERT_TRUE(result.ok());
    EXPECT_NEAR(result->response_time_s.mean, expected, 0.03 * expected) << "scv " << scv;
  }
}

TEST(SimulationTest, AlwaysOnEnergyIsIdlePlusWork) {
  SimConfig c = AlwaysOn(4, 2, 20, 0.1, 10000);
  c.power = {.off_w = 5, .boot_w = 150, .idle_w = 100, .busy_w = 200, .shutdown_w = 100};
  auto r = RunSimulation(c);
  ASSERT_TRUE(r.ok());
  // Utilisation 20 * 0.1 / 8 = 0.25 of the slots: 4 nodes * (100 + 100 * 0.25) W.
  const double expected_kwh = 4 * 125.0 * 10000 / 3.6e6;
  EXPECT_NEAR(r->energy_kwh, expected_kwh, 0.01 * expected_kwh);
  EXPECT_DOUBLE_EQ(r->energy_kwh, r->always_on_energy_kwh);
  EXPECT_EQ(r->saving_ratio, 0);
  EXPECT_EQ(r->boots, 0u);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SimConfig NasaDay(const std::string& policy) {
  SimConfig c;
  c.nodes = 10;
  c.maxconn = 4;
  c.boot_s = 60;
  c.shutdown_s = 10;
  c.capacity_rps = 16;
  c.service_time = {.kind = workload::ServiceTimeKind::kExponential, .mean_s = 0.25, .scv = 1};
  c.workload.trace = std::string(EBB_REPO_DIR) + "/data/nasa_1995-07-06_requests_per_second.csv";
  c.workload.scale = 4;
  c.workload.duration_s = 6 * 3600;
  c.policy.name = policy;
  c.seed = 3;
  return c;
}

// Same seed, same bytes: the summary (but wall time), the time series and the decision log.
TEST(SimulationTest, SameSeedGivesIdenticalReports) {
  const auto dir = std::filesystem::temp_directory_path() / "ebb_sim_determinism";
  std::filesystem::remove_all(dir);
  std::string first_summary;
  for (int run = 0; run < 2; ++run) {
    const auto out = dir / std::to_string(run);
    auto writer = ReportWriter::Create(out.string());
    ASSERT_TRUE(writer.ok());
    SimOutputs outputs;
    outputs.decisions = writer->get();
    outputs.on_start = [&](double start) { (*writer)->SetTimeBase(start, 1); };
    outputs.on_tick = [&](const TimeseriesRow& row) { (*writer)->OnTick(row); };
    auto summary = RunSimulation(NasaDay("regression"), outputs);
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_TRUE((*writer)->Commit(*summary, 5).ok());
    const std::string text = ToJson(*summary, false).dump();
    if (run == 0) first_summary = text;
    EXPECT_EQ(text, first_summary);
  }
  for (const char* name : {"timeseries.csv", "decisions.jsonl", "report.html"}) {
    const std::string a = ReadFile(dir / "0" / name);
    EXPECT_GT(a.size(), 1000u) << name;
    EXPECT_EQ(a, ReadFile(dir / "1" / name)) << name;
  }
  // Another seed is another run.
  SimConfig other = NasaDay("regression");
  other.seed = 4;
  auto different = RunSimulation(other);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(ToJson(*different, false).dump(), first_summary);
  std::filesystem::remove_all(dir);
}

// Every policy runs the real trace; the saving policies save energy without losing the SLA. (A
// policy may save a little more than the optimum: the optimum keeps capacity_rps for every
// second's expected load, a policy may run short of it for a while and pay in latency.)
TEST(SimulationTest, EveryPolicySavesAgainstAlwaysOn) {
  for (const std::string_view policy : policy::PolicyNames()) {
    const std::string name(policy);
    auto r = RunSimulation(NasaDay(name));
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_GT(r->requests, 40000u) << name;
    EXPECT_GT(r->optimum_saving_ratio, 0.3) << name;
    EXPECT_GT(r->sla_ok_ratio, 0.99) << name;
    if (name == "always-on") {
      EXPECT_EQ(r->saving_ratio, 0) << name;
      EXPECT_EQ(r->boots, 0u);
    } else {
      EXPECT_GT(r->saving_ratio, 0.2) << name;
      EXPECT_GT(r->shutdowns, 0u) << name;
      EXPECT_GT(r->share_of_optimum_saving, 0.5) << name;
    }
  }
}

// Under `balance first` the load packs onto the lowest nodes and the controller drains the
// highest, which hold the fewest sessions: drains end sooner than under leastconn, which spreads
// the sessions over every node.
TEST(SimulationTest, BalanceFirstDrainsNodesThatAreAlreadyEmpty) {
  double drain_s[2] = {0, 0};
  for (const lb::Algorithm algorithm : {lb::Algorithm::kFirst, lb::Algorithm::kLeastConn}) {
    SimConfig c = NasaDay("threshold");
    // Long requests, many at once on a node: a drained node waits for its sessions.
    c.maxconn = 32;
    c.service_time = {.kind = workload::ServiceTimeKind::kDeterministic, .mean_s = 2, .scv = 1};
    c.algorithm = algorithm;
    c.controller.balance = algorithm;
    auto r = RunSimulation(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_GT(r->sla_ok_ratio, 0.99);
    drain_s[algorithm == lb::Algorithm::kFirst ? 0 : 1] = r->mean_drain_s;
  }
  EXPECT_LT(drain_s[0], drain_s[1]) << "first " << drain_s[0] << " s, leastconn " << drain_s[1];
}

TEST(SimulationTest, EmptyWindowIsAnError) {
  SimConfig c = NasaDay("regression");
  c.workload.start = 1e9;  // after the trace
  c.workload.duration_s.reset();
  auto r = RunSimulation(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no requests"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace ebb::sim
