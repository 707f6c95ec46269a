// GrowthQuantile: how much the load can grow within a horizon (a boot time), learned from the
// load itself. For every sample it records the ratio of the mean rate over the following
// `horizon_s` to the rate at the sample, once that horizon has passed (the mean, not the peak:
// a peak of a few seconds is what the queue absorbs, a surge that lasts is what needs nodes);
// ratios are kept in a histogram of their logarithms whose weights decay with `memory_s`, so the
// quantile follows the traffic's recent character (bursty traffic has a heavy upper tail, smooth
// traffic a light one). A prediction interval for the load a horizon ahead is then rate *
// Quantile(q).
//
// Samples whose rate is far below the recent level (an outage, a night at zero) are not used as
// a base: their ratios say nothing about how traffic grows, and would make every ratio look
// extreme. Deterministic; memory is fixed by the horizon and the bin count.
#pragma once

#include <deque>
#include <vector>

#include "core/time.h"

namespace ebb::forecast {

struct GrowthQuantileOptions {
  core::Seconds horizon_s = 60;    // how far ahead growth is measured
  core::Seconds memory_s = 86400;  // weights halve over this time
  double max_ratio = 20;           // larger ratios count as this
  double floor_rps = 0;            // added to both rates, so that a ratio near zero stays finite
  double base_share = 0.1;         // a sample is a base only at this share of the recent level
};

class GrowthQuantile {
 public:
  explicit GrowthQuantile(GrowthQuantileOptions options);

  // One sample, in time order. `recent_level` is the level the base test compares with.
  void Add(core::Seconds at, double rate_rps, double recent_level);
  // The q-quantile of the ratios seen (>= 1), or 1 when none has been recorded yet.
  double Quantile(double q) const;
  double weight() const { return total_weight_; }

 private:
  struct Pending {
    core::Seconds at;
    double base;
    double sum = 0;  // of the rates after it, within the horizon
    int count = 0;
  };
  void Record(double ratio, core::Seconds at);

  GrowthQuantileOptions options_;
  std::deque<Pending> pending_;
  std::vector<double> bins_;
  double total_weight_ = 0;
  core::Seconds decayed_at_ = 0;
  bool started_ = false;
};

}  // namespace ebb::forecast
