#include "sim/offline_optimum.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace ebb::sim {

OfflineOptimum::OfflineOptimum(const OptimumOptions& options)
    : options_(options), need_(options.nodes), gap_start_(static_cast<std::size_t>(options.nodes)) {
  EBB_CHECK(options.nodes >= 1 && options.slot_s > 0 && options.capacity_rps > 0);
}

void OfflineOptimum::AddSpread(core::Seconds begin, core::Seconds end, double expected) {
  if (!(end > begin) || expected <= 0) return;
  const double rate = expected / (end - begin);
  // Spread over the slots the segment covers.
  core::Seconds t = begin;
  while (t < end) {
    const auto slot = static_cast<std::int64_t>(std::floor(t / options_.slot_s));
    CloseSlotsBefore(slot);
    const core::Seconds slot_end = static_cast<double>(slot + 1) * options_.slot_s;
    const core::Seconds until = std::min(end, slot_end);
    slot_expected_ += rate * (until - t);
    t = until;
  }
}

void OfflineOptimum::AddPoint(core::Seconds at, double expected) {
  CloseSlotsBefore(static_cast<std::int64_t>(std::floor(at / options_.slot_s)));
  slot_expected_ += expected;
}

void OfflineOptimum::CloseSlotsBefore(std::int64_t slot) {
  while (slot_ < slot) {
    const core::Seconds begin = static_cast<double>(slot_) * options_.slot_s;
    if (slot_expected_ == 0 && need_ == std::max(1, options_.min_nodes) && slot > slot_ + 1) {
      // A run of empty slots at the floor: close them at once.
      const std::int64_t run = slot - slot_;
      CloseSlot(begin, static_cast<double>(run) * options_.slot_s, 0);
      slot_ = slot;
      break;
    }
    CloseSlot(begin, options_.slot_s, slot_expected_);
    slot_expected_ = 0;
    ++slot_;
  }
}

void OfflineOptimum::CloseSlot(core::Seconds begin, core::Seconds length, double expected) {
  const double nodes_needed = expected / (options_.capacity_rps * length);
  int need = static_cast<int>(std::ceil(nodes_needed - 1e-9));
  need = std::clamp(need, std::max(1, options_.min_nodes), options_.nodes);
  SetNeed(need, begin);
  result_.static_energy_j += need * options_.power.idle_w * length;
}

void OfflineOptimum::SetNeed(int need, core::Seconds at) {
  // Layers above the old need end their gaps; layers above the new need start one.
  for (int j = need_ + 1; j <= need; ++j) BridgeGap(at - gap_start_[j - 1], false);
  for (int j = need + 1; j <= need_; ++j) gap_start_[j - 1] = at;
  need_ = need;
}

void OfflineOptimum::BridgeGap(core::Seconds length, bool to_end) {
  if (length <= 0) return;
  const core::PowerModel& p = options_.power;
  const double idle = p.idle_w * length;
  const core::Seconds overhead = options_.shutdown_s + (to_end ? 0 : options_.boot_s);
  double best = idle;
  if (length >= overhead) {
    const core::Seconds off_s = length - overhead;
    const double cycle = options_.shutdown_s * p.shutdown_w +
                         (to_end ? 0 : options_.boot_s * p.boot_w) + off_s * p.off_w;
    if (cycle < idle) {
      best = cycle;
      result_.node_downtime_s += off_s;
      ++result_.power_cycles;
    }
  }
  result_.static_energy_j += best;
}

OptimumResult OfflineOptimum::Finish(core::Seconds end) {
  const auto last = static_cast<std::int64_t>(std::floor(end / options_.slot_s));
  CloseSlotsBefore(last);
  const core::Seconds begin = static_cast<double>(slot_) * options_.slot_s;
  if (end > begin) {
    CloseSlot(begin, end - begin, slot_expected_);
  }
  slot_expected_ = 0;
  for (int j = need_ + 1; j <= options_.nodes; ++j) BridgeGap(end - gap_start_[j - 1], true);
  need_ = options_.nodes;
  return result_;
}

}  // namespace ebb::sim
