#include "stats/latency_histogram.h"

#include <algorithm>
#include <limits>

namespace ebb::stats {

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::Clear() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  max_ = 0;
}

double LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(BucketMiddle(i), max_);
  }
  return max_;
}

std::vector<LatencyHistogram::Bin> LatencyHistogram::NonEmptyBins() const {
  std::vector<Bin> bins;
  for (int i = 0; i < kBuckets; ++i) {
    if (counts_[i] == 0) continue;
    bins.push_back(
        {.lower_s = i == 0 ? 0.0 : BucketPoint(i, 0),
         .upper_s = i == kBuckets - 1 ? std::numeric_limits<double>::infinity() : BucketPoint(i, 1),
         .count = counts_[i]});
  }
  return bins;
}

}  // namespace ebb::stats
