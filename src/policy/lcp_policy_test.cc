#include "policy/lcp_policy.h"

#include <cmath>
#include <functional>
#include <vector>

#include <gtest/gtest.h>

#include "policy/policy_test_util.h"
#include "workload/random.h"

namespace ebb::policy {
namespace {

const ServiceModel kModel{.slots_per_node = 2,
                          .service_time_s = 0.5,
                          .shutdown_s = 10,
                          .power = {.off_w = 5, .boot_w = 150, .idle_w = 100, .shutdown_w = 100},
                          .cost_c1 = 1,
                          .cost_c2 = 1};

// Every schedule of up to `max_nodes` nodes over the slots, tried one by one.
double BruteForce(SwitchingCostModel& model, const std::vector<double>& rates) {
  const int n = model.max_nodes();
  std::vector<int> schedule(rates.size(), 0);
  double best = std::numeric_limits<double>::infinity();
  std::function<void(std::size_t)> walk = [&](std::size_t t) {
    if (t == rates.size()) {
      best = std::min(best, ScheduleCost(model, rates, schedule));
      return;
    }
    for (int x = 0; x <= n; ++x) {
      schedule[t] = x;
      walk(t + 1);
    }
  };
  walk(0);
  return best;
}

TEST(LcpTest, TheDynamicProgramFindsTheOfflineOptimum) {
  for (double beta : {0.0, 3.0, 40.0}) {
    SwitchingCostModel model(3, kModel, 2, 1, beta);
    const std::vector<double> rates = {0.5, 4, 0, 0, 7, 1.5, 0};
    SCOPED_TRACE(beta);
    EXPECT_NEAR(OfflineOptimalCost(model, rates), BruteForce(model, rates), 1e-6);
  }
}

// Runs LCP as the controller would (each target carried out at once) and returns its schedule.
std::vector<int> RunLcp(const std::vector<double>& rates, int nodes) {
  LcpPolicy policy;
  std::vector<int> schedule;
  core::LoadHistory history(4);
  int serving = 0;
  for (std::size_t t = 0; t < rates.size(); ++t) {
    const double now = static_cast<double>(t + 1);
    history.Add({.at = now, .rate_rps = rates[t]});
    const Decision d = policy.Decide({.now = now,
                                      .interval_s = 1,
                                      .serving_nodes = serving,
                                      .total_nodes = nodes,
                                      .node_capacity_rps = 4,
                                      .boot_s = 60,
                                      .history = &history,
                                      .model = kModel});
    serving = d.target_serving;
    schedule.push_back(serving);
  }
  return schedule;
}

TEST(LcpTest, NeverCostsMoreThanThreeTimesTheOfflineOptimum) {
  const int nodes = 30;
  std::vector<std::pair<std::string, std::vector<double>>> traces;
  std::vector<double> sine, bursts, outage, noise, square;
  workload::Random random(11);
  double walk = 20;
  for (int t = 0; t < 4 * 3600; ++t) {
    sine.push_back(25 + 20 * std::sin(t * 2 * M_PI / 3600));
    bursts.push_back(t % 1800 >= 1650 ? 45 : 12);
    outage.push_back(t % 2400 >= 2100 ? 0 : 30);
    walk = std::clamp(walk + (random.Uniform01() - 0.5) * 4, 0.0, 50.0);
    noise.push_back(walk);
    square.push_back((t / 200) % 2 == 0 ? 50 : 1);
  }
  traces = {{"sine", sine},
            {"bursts", bursts},
            {"outage", outage},
            {"random walk", noise},
            {"square", square}};
  const double beta = kModel.cost_c2 * kModel.BreakEven(60);
  for (const auto& [name, rates] : traces) {
    SwitchingCostModel model(nodes, kModel, 2, 1, beta);
    const double optimum = OfflineOptimalCost(model, rates);
    const double lcp = ScheduleCost(model, rates, RunLcp(rates, nodes));
    SCOPED_TRACE(name);
    EXPECT_GE(lcp, optimum * (1 - 1e-9));
    EXPECT_LE(lcp, 3 * optimum) << "ratio " << lcp / optimum;
  }
}

TEST(LcpTest, PowersUpForLoadAndLazilyDown) {
  std::vector<double> rates(400, 1);
  for (int t = 50; t < 100; ++t) rates[t] = 30;
  const std::vector<int> schedule = RunLcp(rates, 30);
  EXPECT_LE(schedule[40], 2);
  EXPECT_GE(schedule[60], 8);  // 30 rps at 2 slots x 2 rps needs 8 nodes to be stable
  // Lazily down: not at once, but within a few break-even times.
  EXPECT_GT(schedule[105], schedule[40]);
  EXPECT_EQ(schedule.back(), schedule[40]);
}

}  // namespace
}  // namespace ebb::policy
