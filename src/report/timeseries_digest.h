// TimeseriesDigest: a run's time series squeezed into at most `max_buckets` buckets, whatever the
// run's length, for plotting. Rows arrive in time order; when the buckets are full, neighbours
// are merged pairwise and each bucket then covers twice as many rows. Deterministic, and memory
// is fixed by max_buckets.
#pragma once

#include <cstddef>
#include <vector>

namespace ebb::report {

struct Point {
  double t = 0;  // seconds since the start
  double arrival_rps = 0;
  double forecast_rps = 0;
  double serving = 0;
  double powered = 0;
  double queue = 0;
  double p95_s = 0;
  double power_w = 0;
};

// One bucket: means of the rows it covers, and the maxima the plots need to show peaks.
struct Bucket {
  double t_begin = 0;
  double t_end = 0;
  std::size_t rows = 0;
  Point mean;
  double max_arrival_rps = 0;
  double max_p95_s = 0;
  double max_queue = 0;
};

class TimeseriesDigest {
 public:
  explicit TimeseriesDigest(std::size_t max_buckets = 1024);

  void Add(const Point& row);
  const std::vector<Bucket>& buckets() const { return buckets_; }
  std::size_t rows_per_bucket() const { return rows_per_bucket_; }

 private:
  static void Merge(Bucket& into, const Bucket& from);

  std::size_t max_buckets_;
  std::size_t rows_per_bucket_ = 1;
  std::vector<Bucket> buckets_;
};

}  // namespace ebb::report
