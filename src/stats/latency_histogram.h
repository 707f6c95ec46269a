// LatencyHistogram: response times in log-linear buckets (128 per power of two, so a quantile is
// off by under 0.4 %), from 1 µs to 2^20 s, in fixed memory whatever the number of requests.
// Exact count, sum and maximum are kept beside it.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace ebb::stats {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr int kMinExponent = -20;  // 2^-20 s, about 1 µs
  static constexpr int kMaxExponent = 20;
  static constexpr int kBuckets = (kMaxExponent - kMinExponent) << kSubBits;

  LatencyHistogram() : counts_(kBuckets, 0) {}

  void Add(double seconds) {
    ++count_;
    sum_ += seconds;
    if (seconds > max_) max_ = seconds;
    ++counts_[Index(seconds)];
  }
  void Merge(const LatencyHistogram& other);
  void Clear();

  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  double mean() const { return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_); }
  double max() const { return max_; }
  // The q-quantile (0 < q <= 1): the middle of the bucket that holds it, capped by the maximum.
  double Quantile(double q) const;

  // A bucket that holds requests: `count` response times in [lower_s, upper_s). The first bucket
  // also holds everything shorter (lower_s 0), the last everything longer (upper_s infinity).
  struct Bin {
    double lower_s = 0;
    double upper_s = 0;
    std::uint64_t count = 0;
  };
  // The non-empty buckets, shortest first: the whole distribution, for plots and files.
  std::vector<Bin> NonEmptyBins() const;

 private:
  static int Index(double seconds) {
    if (!(seconds > 0x1.0p-20)) return 0;
    int exponent;
    const double mantissa = std::frexp(seconds, &exponent);  // seconds = mantissa * 2^exponent
    const int e = exponent - 1 - kMinExponent;               // mantissa in [0.5, 1)
    if (e >= kMaxExponent - kMinExponent) return kBuckets - 1;
    const int sub = static_cast<int>((mantissa * 2 - 1) * (1 << kSubBits));
    return (e << kSubBits) + sub;
  }
  // Where bucket `index` starts (offset 0), its middle (0.5) or its end (1), in seconds.
  static double BucketPoint(int index, double offset) {
    const int e = (index >> kSubBits) + kMinExponent;
    const double sub = (index & ((1 << kSubBits) - 1)) + offset;
    return std::ldexp(1.0 + sub / (1 << kSubBits), e);
  }
  static double BucketMiddle(int index) { return BucketPoint(index, 0.5); }

  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  double sum_ = 0;
  double max_ = 0;
};

}  // namespace ebb::stats
