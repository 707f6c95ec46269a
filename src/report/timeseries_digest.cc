#include "report/timeseries_digest.h"

#include <algorithm>

namespace ebb::report {

TimeseriesDigest::TimeseriesDigest(std::size_t max_buckets)
    : max_buckets_(std::max<std::size_t>(max_buckets, 2) & ~std::size_t{1}) {}

void TimeseriesDigest::Merge(Bucket& into, const Bucket& from) {
  const double a = static_cast<double>(into.rows);
  const double b = static_cast<double>(from.rows);
  auto mix = [a, b](double& x, double y) { x = (x * a + y * b) / (a + b); };
  mix(into.mean.t, from.mean.t);
  mix(into.mean.arrival_rps, from.mean.arrival_rps);
  mix(into.mean.forecast_rps, from.mean.forecast_rps);
  mix(into.mean.serving, from.mean.serving);
  mix(into.mean.powered, from.mean.powered);
  mix(into.mean.queue, from.mean.queue);
  mix(into.mean.p95_s, from.mean.p95_s);
  mix(into.mean.power_w, from.mean.power_w);
  into.rows += from.rows;
  into.t_end = from.t_end;
  into.max_arrival_rps = std::max(into.max_arrival_rps, from.max_arrival_rps);
  into.max_p95_s = std::max(into.max_p95_s, from.max_p95_s);
  into.max_queue = std::max(into.max_queue, from.max_queue);
}

void TimeseriesDigest::Add(const Point& row) {
  Bucket one{.t_begin = row.t,
             .t_end = row.t,
             .rows = 1,
             .mean = row,
             .max_arrival_rps = row.arrival_rps,
             .max_p95_s = row.p95_s,
             .max_queue = row.queue};
  if (!buckets_.empty() && buckets_.back().rows < rows_per_bucket_) {
    Merge(buckets_.back(), one);
    return;
  }
  if (buckets_.size() == max_buckets_) {
    // Full: halve the resolution by merging neighbours.
    for (std::size_t i = 0; i < max_buckets_ / 2; ++i) {
      buckets_[i] = buckets_[2 * i];
      Merge(buckets_[i], buckets_[2 * i + 1]);
    }
    buckets_.resize(max_buckets_ / 2);
    rows_per_bucket_ *= 2;
    Add(row);
    return;
  }
  buckets_.push_back(one);
}

}  // namespace ebb::report
