#include "tools/logstat/timer_distribution.h"

#include <cmath>

namespace ebb::logstat {

TimerDistribution::TimerDistribution() : flat_(new std::uint64_t[kFlatLimit]()) {}

void TimerDistribution::Merge(const TimerDistribution& other) {
  for (std::int64_t v = 0; v < kFlatLimit; ++v) flat_[v] += other.flat_[v];
  for (const auto& [value, count] : other.large_) large_[value] += count;
}

template <typename F>
void TimerDistribution::ForEach(F&& f) const {
  for (std::int64_t v = 0; v < kFlatLimit; ++v) {
    if (flat_[v] != 0) f(v, flat_[v]);
  }
  for (const auto& [value, count] : large_) f(value, count);
}

TimerSummary TimerDistribution::Summarize() const {
  TimerSummary s;
  // Pass 1: count, exact sum (integer ms; long double keeps 64 bits of mantissa), min, max.
  long double sum = 0;
  bool first = true;
  ForEach([&](std::int64_t v, std::uint64_t n) {
    if (first) s.min = v;
    first = false;
    s.max = v;
    s.count += n;
    sum += static_cast<long double>(v) * static_cast<long double>(n);
  });
  if (s.count == 0) return s;
  const long double mean = sum / static_cast<long double>(s.count);
  s.mean = static_cast<double>(mean);

  // Pass 2: variance around the mean, and the percentiles by rank.
  const std::uint64_t ranks[3] = {
      // ceil(p * count) with integer arithmetic, at least 1.
      (s.count * 50 + 99) / 100,
      (s.count * 95 + 99) / 100,
      (s.count * 99 + 99) / 100,
  };
  std::int64_t* outs[3] = {&s.p50, &s.p95, &s.p99};
  int next = 0;
  std::uint64_t seen = 0;
  long double squares = 0;
  ForEach([&](std::int64_t v, std::uint64_t n) {
    const long double d = static_cast<long double>(v) - mean;
    squares += d * d * static_cast<long double>(n);
    seen += n;
    while (next < 3 && seen >= (ranks[next] == 0 ? 1 : ranks[next])) *outs[next++] = v;
  });
  s.variance = static_cast<double>(squares / static_cast<long double>(s.count));
  s.scv = s.mean > 0 ? s.variance / (s.mean * s.mean) : 0;
  return s;
}

}  // namespace ebb::logstat
