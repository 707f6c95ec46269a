// The offline optimum on hand-computed workloads.
#include "sim/offline_optimum.h"

#include <gtest/gtest.h>

namespace ebb::sim {
namespace {

OptimumOptions TwoNodes() {
  return {.nodes = 2,
          .min_nodes = 1,
          .capacity_rps = 10,
          .slot_s = 1,
          .boot_s = 20,
          .shutdown_s = 10,
          .power = {.off_w = 5, .boot_w = 150, .idle_w = 100, .busy_w = 200, .shutdown_w = 100}};
}

TEST(OfflineOptimumTest, ConstantLoadNeedsNoCycles) {
  OfflineOptimum best(TwoNodes());
  best.AddSpread(0, 1000, 15 * 1000);  // 15 rps: two nodes all the time
  const OptimumResult r = best.Finish(1000);
  EXPECT_DOUBLE_EQ(r.static_energy_j, 2 * 100 * 1000);
  EXPECT_EQ(r.power_cycles, 0u);
}

TEST(OfflineOptimumTest, LongGapIsBridgedByPoweringOff) {
  OfflineOptimum best(TwoNodes());
  best.AddSpread(0, 100, 15 * 100);    // two nodes
  best.AddSpread(100, 400, 5 * 300);   // one node: layer 2 has a 300 s gap
  best.AddSpread(400, 500, 15 * 100);  // two nodes again
  const OptimumResult r = best.Finish(500);
  // Layer 1 idles 500 s; layer 2 serves 200 s and cycles over 300 s:
  // shutdown 10 s * 100 W + off 270 s * 5 W + boot 20 s * 150 W.
  const double expected = 100 * 500 + 100 * 200 + (10 * 100 + 270 * 5 + 20 * 150);
  EXPECT_DOUBLE_EQ(r.static_energy_j, expected);
  EXPECT_DOUBLE_EQ(r.node_downtime_s, 270);
  EXPECT_EQ(r.power_cycles, 1u);
}

TEST(OfflineOptimumTest, ShortGapIdles) {
  OfflineOptimum best(TwoNodes());
  best.AddSpread(0, 100, 15 * 100);
  best.AddSpread(100, 125, 5 * 25);  // 25 s < shutdown + boot
  best.AddSpread(125, 200, 15 * 75);
  EXPECT_DOUBLE_EQ(best.Finish(200).static_energy_j, 2 * 100 * 200);
}

TEST(OfflineOptimumTest, GapToTheEndNeedsNoBootAndGapAtStartStartsPoweredOn) {
  OfflineOptimum best(TwoNodes());
  best.AddSpread(0, 100, 5 * 100);  // one node from the start: layer 2 shuts down at 0
  best.AddSpread(100, 200, 15 * 100);
  best.AddSpread(200, 300, 5 * 100);  // and again from 200 to the end
  const OptimumResult r = best.Finish(300);
  const double first_gap = 10 * 100 + 70 * 5 + 20 * 150;
  const double last_gap = 10 * 100 + 90 * 5;
  EXPECT_DOUBLE_EQ(r.static_energy_j, 100 * 300 + 100 * 100 + first_gap + last_gap);
  EXPECT_DOUBLE_EQ(r.node_downtime_s, 70 + 90);
}

TEST(OfflineOptimumTest, PointsAndMinNodesAndCapAtAllNodes) {
  OptimumOptions o = TwoNodes();
  o.min_nodes = 2;
  OfflineOptimum best(o);
  for (int i = 0; i < 100; ++i) best.AddPoint(i + 0.5, 1);
  best.AddPoint(150.5, 1000);  // more than two nodes can serve: capped at two
  const OptimumResult r = best.Finish(200);
  EXPECT_DOUBLE_EQ(r.static_energy_j, 2 * 100 * 200);
  EXPECT_EQ(r.power_cycles, 0u);
}

}  // namespace
}  // namespace ebb::sim
