// OfflineOptimum: the least energy any schedule of powered nodes could have used for the same
// workload, knowing it in advance. Time is cut into slots (the controller's interval); a slot
// needs max(min_nodes, ceil(expected arrivals / (capacity_rps * slot length))) nodes, at most all.
// With identical nodes the problem decomposes by layer: layer j is needed in the slots that need
// at least j nodes, and each gap between two needs is bridged either by idling or, when the gap
// holds a shutdown and a boot that starts a boot time ahead, by powering off, whichever costs
// less. This generalises Cherub's maximum downtime T_duration - (T_last - T_first) - T_boot -
// T_delay. Nodes start powered on, as in the simulation; a gap running to the end needs no boot.
// The energy above idle that requests cause is the same for every schedule that serves them, so
// the caller adds it. Input arrives in time order, in one pass; memory is O(nodes).
#pragma once

#include <cstdint>
#include <vector>

#include "core/time.h"
#include "sim/sim_cluster.h"
#include "workload/arrivals.h"

namespace ebb::sim {

struct OptimumOptions {
  int nodes = 1;
  int min_nodes = 1;
  double capacity_rps = 1;
  core::Seconds slot_s = 1;
  core::Seconds boot_s = 0;
  core::Seconds shutdown_s = 0;
  core::PowerModel power;
};

struct OptimumResult {
  double static_energy_j = 0;  // everything but the energy requests add above idle
  double node_downtime_s = 0;  // node-seconds powered off
  std::uint64_t power_cycles = 0;
};

class OfflineOptimum final : public workload::BinObserver {
 public:
  explicit OfflineOptimum(const OptimumOptions& options);

  void AddSpread(core::Seconds begin, core::Seconds end, double expected) override;
  void AddPoint(core::Seconds at, double expected) override;
  // Closes every slot up to `end` (the end of simulated time) and returns the optimum.
  OptimumResult Finish(core::Seconds end);

 private:
  // Closes slots before `slot`.
  void CloseSlotsBefore(std::int64_t slot);
  void CloseSlot(core::Seconds begin, core::Seconds length, double expected);
  void SetNeed(int need, core::Seconds at);
  void BridgeGap(core::Seconds length, bool to_end);

  OptimumOptions options_;
  std::int64_t slot_ = 0;  // the open slot
  double slot_expected_ = 0;
  int need_;                              // layers needed in the last closed slot
  std::vector<core::Seconds> gap_start_;  // per layer (index j-1), while it is not needed
  OptimumResult result_;
};

}  // namespace ebb::sim
