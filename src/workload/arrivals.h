// Arrivals: turns a workload (a trace, or a constant rate) into request arrival times on the
// simulator's clock, one at a time, in order. Trace time maps to simulated time as
//   sim = (trace - window start) / speedup,
// and counts are multiplied by `scale`. Within a bin, arrivals are a Poisson process of the bin's
// rate (`poisson`) or exactly the bin's count at uniformly random times (`exact`); per-request
// traces keep their own times. Every bin is also reported to a BinObserver (the offline optimum),
// so the trace is read once. A malformed trace line ends the arrivals with an error status.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"
#include "core/time.h"
#include "workload/random.h"
#include "workload/trace_reader.h"

namespace ebb::workload {

enum class ArrivalMode : std::uint8_t { kPoisson, kExact };
core::Result<ArrivalMode> ParseArrivalMode(std::string_view name);
std::string_view ToString(ArrivalMode mode);

struct WorkloadOptions {
  std::string trace;  // path; empty: a constant `rate_rps`
  TraceFormat format = TraceFormat::kAuto;
  double rate_rps = 0;
  ArrivalMode arrivals = ArrivalMode::kPoisson;
  double scale = 1;
  double speedup = 1;
  std::optional<double> start;       // Unix time of the window start; default: the trace's first
  std::optional<double> duration_s;  // window length in trace seconds; default: to the end
};

// Learns the expected number of arrivals in simulated time, in time order.
class BinObserver {
 public:
  virtual ~BinObserver() = default;
  virtual void AddSpread(core::Seconds begin, core::Seconds end, double expected) = 0;
  virtual void AddPoint(core::Seconds at, double expected) = 0;
};

class Arrivals {
 public:
  static core::Result<std::unique_ptr<Arrivals>> Open(const WorkloadOptions& options,
                                                      std::uint64_t seed,
                                                      BinObserver* observer = nullptr);

  // The next arrival's time, +infinity when there are no more.
  core::Seconds Peek() const { return next_; }
  // Moves to the arrival after Peek().
  void Pop() { Advance(); }
  // OK, or the trace error that ended the arrivals early.
  const core::Status& status() const { return status_; }
  // The Unix time that simulated time 0 stands for.
  double window_start() const { return window_start_; }
  // End of simulated time: the window's end, or once the trace is exhausted its last bin's end.
  core::Seconds end() const { return end_; }
  bool end_known() const { return end_known_; }

 private:
  Arrivals(const WorkloadOptions& options, std::uint64_t seed, BinObserver* observer);
  void Advance();
  // Loads the next bin into the current segment; false at the end.
  bool NextSegment();

  WorkloadOptions options_;
  Random random_;
  BinObserver* observer_;
  std::unique_ptr<TraceReader> reader_;
  core::Status status_;

  double window_start_ = 0;
  core::Seconds end_ = std::numeric_limits<double>::infinity();
  bool end_known_ = false;
  bool constant_done_ = false;
  bool started_ = false;  // the first trace record has fixed the window

  // The current segment in simulated time.
  core::Seconds seg_begin_ = 0;
  core::Seconds seg_end_ = 0;
  double seg_rate_ = 0;         // poisson
  std::uint64_t seg_left_ = 0;  // exact: arrivals still to place; points: copies left
  double seg_u_ = 0;            // exact: position of the last one placed, in [0, 1)
  bool seg_point_ = false;
  core::Seconds cursor_ = 0;  // poisson: time of the last arrival or segment start
  core::Seconds next_ = std::numeric_limits<double>::infinity();
};

}  // namespace ebb::workload
