#include "forecast/growth_quantile.h"

#include <algorithm>
#include <cmath>

#include "core/check.h"

namespace ebb::forecast {
namespace {

constexpr int kBins = 256;

}  // namespace

GrowthQuantile::GrowthQuantile(GrowthQuantileOptions options)
    : options_(options), bins_(kBins, 0.0) {
  EBB_CHECK(options_.horizon_s > 0 && options_.memory_s > 0 && options_.max_ratio > 1);
}

void GrowthQuantile::Add(core::Seconds at, double rate_rps, double recent_level) {
  if (!std::isfinite(rate_rps) || rate_rps < 0) return;
  while (!pending_.empty() && pending_.front().at <= at - options_.horizon_s) {
    const Pending done = pending_.front();
    pending_.pop_front();
    const double mean = done.count > 0 ? done.sum / done.count : done.base;
    Record((mean + options_.floor_rps) / (done.base + options_.floor_rps), at);
  }
  // Each pending base sums the rates of its horizon; a running total with the sum at each base's
  // start would do the same in O(1), but the horizon holds only a boot time of samples.
  for (Pending& p : pending_) {
    p.sum += rate_rps;
    ++p.count;
  }
  if (rate_rps >= options_.base_share * recent_level) {
    pending_.push_back({.at = at, .base = rate_rps});
  }
}

void GrowthQuantile::Record(double ratio, core::Seconds at) {
  if (!started_) {
    started_ = true;
    decayed_at_ = at;
  }
  // Decay every weight to `at` at once: one multiplication per bin, only when time moved.
  if (at > decayed_at_) {
    const double factor = std::exp2(-(at - decayed_at_) / options_.memory_s);
    for (double& w : bins_) w *= factor;
    total_weight_ *= factor;
    decayed_at_ = at;
  }
  const double clamped = std::clamp(ratio, 1.0, options_.max_ratio);
  const double position = std::log(clamped) / std::log(options_.max_ratio) * (kBins - 1);
  bins_[static_cast<std::size_t>(std::lround(position))] += 1;
  total_weight_ += 1;
}

double GrowthQuantile::Quantile(double q) const {
  if (!(total_weight_ > 0)) return 1;
  // The bins and the total decay apart: a hair of slack, so q = 1 finds the last non-empty bin.
  const double wanted = std::clamp(q, 0.0, 1.0) * total_weight_ * (1 - 1e-12);
  double seen = 0;
  for (int i = 0; i < kBins; ++i) {
    seen += bins_[static_cast<std::size_t>(i)];
    // The upper edge of the bin: a quantile errs on the side of more headroom.
    if (seen >= wanted) {
      return std::exp((i + 0.5) / (kBins - 1) * std::log(options_.max_ratio));
    }
  }
  return options_.max_ratio;
}

}  // namespace ebb::forecast
