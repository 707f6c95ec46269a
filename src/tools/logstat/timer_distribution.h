// TimerDistribution: the exact distribution of a HAProxy timer (integer milliseconds >= 0), kept
// as counts: a flat array for values below kFlatLimit and an ordered map for the rare larger ones.
// Adding a value is one increment (a map insertion only for a new large value); every statistic
// is computed from the counts when asked, so percentiles are exact and the variance is computed
// in two passes without cancellation. Single owner, not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>

namespace ebb::logstat {

struct TimerSummary {
  std::uint64_t count = 0;
  // Below: only meaningful when count > 0.
  double mean = 0;
  double variance = 0;  // population variance (divides by count)
  std::int64_t min = 0;
  std::int64_t max = 0;
  double scv = 0;  // squared coefficient of variation: variance / mean^2 (0 when mean is 0)
  // Nearest-rank percentiles: the smallest value v with count(<= v) >= ceil(p * count).
  std::int64_t p50 = 0;
  std::int64_t p95 = 0;
  std::int64_t p99 = 0;
};

class TimerDistribution {
 public:
  static constexpr std::int64_t kFlatLimit = 4096;

  TimerDistribution();
  TimerDistribution(TimerDistribution&&) noexcept = default;
  TimerDistribution& operator=(TimerDistribution&&) noexcept = default;

  // `ms` must be >= 0.
  void Add(std::int64_t ms) {
    if (ms < kFlatLimit) {
      ++flat_[ms];
    } else {
      ++large_[ms];
    }
  }
  void Merge(const TimerDistribution& other);
  TimerSummary Summarize() const;

 private:
  // Calls f(value, count) for every value with a non-zero count, in increasing order.
  template <typename F>
  void ForEach(F&& f) const;

  std::unique_ptr<std::uint64_t[]> flat_;
  std::map<std::int64_t, std::uint64_t> large_;
};

}  // namespace ebb::logstat
