// The simulated balancer's HAProxy semantics and the exact energy integration.
#include "sim/sim_cluster.h"

#include <gtest/gtest.h>

#include "core/virtual_event_loop.h"

namespace ebb::sim {
namespace {

std::vector<core::NodeSpec> Nodes(int n) {
  std::vector<core::NodeSpec> specs;
  for (int i = 0; i < n; ++i) specs.push_back({.name = "web" + std::to_string(i + 1)});
  return specs;
}

struct Fixture {
  Fixture(int nodes, lb::Algorithm algorithm, int maxconn = 1, double queue_timeout_s = 30)
      : cluster(
            Nodes(nodes),
            {.algorithm = algorithm,
             .maxconn = maxconn,
             .queue_timeout_s = queue_timeout_s,
             .sla_s = 5,
             .power = {.off_w = 5, .boot_w = 150, .idle_w = 100, .busy_w = 200, .shutdown_w = 120}},
            loop) {}
  std::vector<int> Sessions() {
    lb::BackendStats stats;
    EXPECT_TRUE(cluster.Poll(stats).ok());
    std::vector<int> out;
    for (const auto& s : stats.servers) out.push_back(s.sessions);
    return out;
  }
  void ArriveAt(double t, double service) {
    loop.AdvanceTo(t);
    cluster.Arrive(t, service);
  }
  void DepartUntil(double t) {
    while (cluster.NextDepartureAt() <= t) {
      loop.AdvanceTo(cluster.NextDepartureAt());
      cluster.Depart();
    }
    loop.AdvanceTo(t);
  }
  core::VirtualEventLoop loop;
  SimCluster cluster;
};

TEST(SimClusterTest, LeastConnPicksFewestSessionsAndRotatesTies) {
  Fixture f(3, lb::Algorithm::kLeastConn, 3);
  for (int i = 0; i < 4; ++i) f.ArriveAt(0, 100);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{2, 1, 1}));
  f.ArriveAt(0, 100);
  f.ArriveAt(0, 100);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{2, 2, 2}));
}

TEST(SimClusterTest, FirstFillsLowestServerFirst) {
  Fixture f(3, lb::Algorithm::kFirst, 2);
  for (int i = 0; i < 3; ++i) f.ArriveAt(0, 100);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{2, 1, 0}));
}

TEST(SimClusterTest, RoundRobinCyclesAndSkipsFullServers) {
  Fixture f(3, lb::Algorithm::kRoundRobin, 2);
  f.ArriveAt(0, 1);    // web1, leaves at 1
  f.ArriveAt(0, 100);  // web2
  f.ArriveAt(0, 100);  // web3
  f.ArriveAt(0, 100);  // web1
  EXPECT_EQ(f.Sessions(), (std::vector<int>{2, 1, 1}));
  f.ArriveAt(0, 100);  // web2 (web1 is full anyway)
  f.ArriveAt(0, 100);  // web3
  f.ArriveAt(0, 100);  // all full: queued
  EXPECT_EQ(f.Sessions(), (std::vector<int>{2, 2, 2}));
  EXPECT_EQ(f.cluster.queued(), 1u);
}

TEST(SimClusterTest, FullServersQueueFcfsAndFreedSlotTakesTheOldest) {
  Fixture f(1, lb::Algorithm::kLeastConn, 1);
  f.ArriveAt(0, 1.0);    // served 0 -> 1
  f.ArriveAt(0.2, 0.5);  // waits 0.8, served 1 -> 1.5
  f.ArriveAt(0.4, 0.5);  // waits 1.1, served 1.5 -> 2
  EXPECT_EQ(f.cluster.queued(), 2u);
  f.DepartUntil(10);
  EXPECT_EQ(f.cluster.counters().completed, 3u);
  // Response times 1.0, 1.3, 1.6.
  EXPECT_NEAR(f.cluster.latencies().mean(), (1.0 + 1.3 + 1.6) / 3, 1e-12);
  EXPECT_NEAR(f.cluster.latencies().max(), 1.6, 1e-12);
}

TEST(SimClusterTest, QueueTimeoutRejectsWith503) {
  Fixture f(1, lb::Algorithm::kLeastConn, 1, /*queue_timeout_s=*/2);
  f.ArriveAt(0, 5);
  f.ArriveAt(0.5, 1);  // would wait 4.5 s > 2 s
  f.ArriveAt(4, 1);    // waits 1 s: served
  f.DepartUntil(20);
  EXPECT_EQ(f.cluster.counters().rejected, 1u);
  EXPECT_EQ(f.cluster.counters().completed, 2u);
}

TEST(SimClusterTest, NoUsableServerAnswers503AtOnce) {
  Fixture f(2, lb::Algorithm::kLeastConn);
  ASSERT_TRUE(f.cluster.SetAdminState("web1", lb::AdminState::kMaint).ok());
  ASSERT_TRUE(f.cluster.SetAdminState("web2", lb::AdminState::kDrain).ok());
  f.ArriveAt(1, 1);
  EXPECT_EQ(f.cluster.counters().rejected, 1u);
  EXPECT_EQ(f.cluster.queued(), 0u);
  EXPECT_FALSE(f.cluster.SetAdminState("web9", lb::AdminState::kReady).ok());
}

TEST(SimClusterTest, DrainingServerFinishesItsRequestsButGetsNoNewOnes) {
  Fixture f(2, lb::Algorithm::kFirst, 4);
  f.ArriveAt(0, 3);
  ASSERT_TRUE(f.cluster.SetAdminState("web1", lb::AdminState::kDrain).ok());
  f.ArriveAt(1, 3);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{1, 1}));
  f.DepartUntil(10);
  EXPECT_EQ(f.cluster.counters().completed, 2u);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{0, 0}));
}

TEST(SimClusterTest, ReadyServerTakesQueuedRequests) {
  Fixture f(2, lb::Algorithm::kLeastConn, 1);
  ASSERT_TRUE(f.cluster.SetAdminState("web2", lb::AdminState::kMaint).ok());
  f.ArriveAt(0, 10);
  f.ArriveAt(0, 10);
  EXPECT_EQ(f.cluster.queued(), 1u);
  f.loop.AdvanceTo(1);
  ASSERT_TRUE(f.cluster.SetAdminState("web2", lb::AdminState::kReady).ok());
  EXPECT_EQ(f.cluster.queued(), 0u);
  EXPECT_EQ(f.Sessions(), (std::vector<int>{1, 1}));
}

TEST(SimClusterTest, PowerStatesDriveHealthAndEnergyExactly) {
  Fixture f(2, lb::Algorithm::kLeastConn, 2);
  // 0-10 s: both idle (200 W); web2 busy with one of two slots 2-6 s (+50 W).
  ASSERT_TRUE(f.cluster.SetAdminState("web1", lb::AdminState::kMaint).ok());
  f.ArriveAt(2, 4);
  f.DepartUntil(10);
  // 10-15 s: web1 shuts down (120 W) then off (5 W) until 40; boots 40-100 (150 W).
  f.cluster.BeginShutdown(0, 10);
  lb::BackendStats stats;
  ASSERT_TRUE(f.cluster.Poll(stats).ok());
  // As on HAProxy: a server in maint is not checked, so its health is unknown.
  EXPECT_EQ(stats.servers[0].health, lb::Health::kUnknown);
  f.cluster.FinishShutdown(0, 15);
  // A booting node waits in drain, where the check runs: DOWN until booted, then UP.
  ASSERT_TRUE(f.cluster.SetAdminState("web1", lb::AdminState::kDrain).ok());
  ASSERT_TRUE(f.cluster.Poll(stats).ok());
  EXPECT_EQ(stats.servers[0].health, lb::Health::kDown);
  f.cluster.BeginBoot(0, 40);
  f.cluster.FinishBoot(0, 100);
  f.loop.AdvanceTo(100);
  ASSERT_TRUE(f.cluster.Poll(stats).ok());
  EXPECT_EQ(stats.servers[0].health, lb::Health::kUp);
  f.cluster.AccrueEnergy(100);
  const double expected = 200 * 10 + 50 * 4               // first 10 s
                          + 100 * 90                      // web2 idles 10-100
                          + 120 * 5 + 5 * 25 + 150 * 60;  // web1's cycle
  EXPECT_NEAR(f.cluster.counters().energy_j, expected, 1e-9);
  EXPECT_NEAR(f.cluster.counters().dynamic_energy_j, 50 * 4, 1e-9);
  EXPECT_NEAR(f.cluster.counters().node_downtime_s, 25, 1e-9);
  EXPECT_EQ(f.cluster.counters().boots, 1u);
  EXPECT_EQ(f.cluster.counters().shutdowns, 1u);
}

TEST(SimClusterTest, PowerOffAbortsRequestsInFlight) {
  Fixture f(2, lb::Algorithm::kFirst, 2);
  f.ArriveAt(0, 10);
  f.ArriveAt(0, 10);
  f.cluster.BeginShutdown(0, 1);
  f.DepartUntil(20);
  EXPECT_EQ(f.cluster.counters().aborted, 2u);
  EXPECT_EQ(f.cluster.counters().completed, 0u);
  EXPECT_TRUE(f.cluster.Idle());
}

TEST(SimClusterTest, EnergyStopsAtTheWindowEnd) {
  Fixture f(1, lb::Algorithm::kLeastConn);
  f.cluster.SetEnergyUntil(10);
  f.ArriveAt(9, 5);
  f.DepartUntil(20);
  f.cluster.AccrueEnergy(20);
  EXPECT_NEAR(f.cluster.counters().energy_j, 100 * 10 + 100 * 1, 1e-9);
  EXPECT_EQ(f.cluster.counters().completed, 1u);
}

}  // namespace
}  // namespace ebb::sim
