#include "workload/arrivals.h"

#include <cmath>

namespace ebb::workload {

core::Result<ArrivalMode> ParseArrivalMode(std::string_view name) {
  if (name == "poisson") return ArrivalMode::kPoisson;
  if (name == "exact") return ArrivalMode::kExact;
  return core::InvalidArgumentError("unknown arrival mode \"" + std::string(name) +
                                    "\" (known: poisson, exact)");
}

std::string_view ToString(ArrivalMode mode) {
  return mode == ArrivalMode::kPoisson ? "poisson" : "exact";
}

Arrivals::Arrivals(const WorkloadOptions& options, std::uint64_t seed, BinObserver* observer)
    : options_(options), random_(seed), observer_(observer) {}

core::Result<std::unique_ptr<Arrivals>> Arrivals::Open(const WorkloadOptions& options,
                                                       std::uint64_t seed, BinObserver* observer) {
  if (!(options.scale >= 0) || !std::isfinite(options.scale)) {
    return core::InvalidArgumentError("workload.scale must be a finite number >= 0");
  }
  if (!(options.speedup > 0) || !std::isfinite(options.speedup)) {
    return core::InvalidArgumentError("workload.speedup must be a finite number > 0");
  }
  if (options.duration_s && !(*options.duration_s > 0)) {
    return core::InvalidArgumentError("workload.duration_s must be > 0");
  }
  std::unique_ptr<Arrivals> arrivals(new Arrivals(options, seed, observer));
  if (options.trace.empty()) {
    if (!(options.rate_rps >= 0) || !options.duration_s) {
      return core::InvalidArgumentError(
          "workload: give a trace, or rate_rps and duration_s for a constant rate");
    }
    arrivals->window_start_ = options.start.value_or(0);
    arrivals->end_ = *options.duration_s / options.speedup;
    arrivals->end_known_ = true;
  } else {
    EBB_ASSIGN_OR_RETURN(arrivals->reader_, TraceReader::Open(options.trace, options.format));
    if (options.duration_s && options.start) {
      arrivals->end_ = *options.duration_s / options.speedup;
      arrivals->end_known_ = true;
    }
  }
  arrivals->Advance();
  if (!arrivals->status_.ok()) return arrivals->status_;
  return arrivals;
}

bool Arrivals::NextSegment() {
  seg_point_ = false;
  seg_left_ = 0;
  if (!reader_) {
    if (constant_done_) return false;
    constant_done_ = true;
    seg_begin_ = cursor_ = 0;
    seg_end_ = end_;
    const double expected = options_.rate_rps * options_.scale * *options_.duration_s;
    seg_rate_ = expected / (seg_end_ - seg_begin_);
    seg_left_ = static_cast<std::uint64_t>(std::llround(expected));
    seg_u_ = 0;
    if (observer_ != nullptr) observer_->AddSpread(seg_begin_, seg_end_, expected);
    return true;
  }

  const double speedup = options_.speedup;
  TraceRecord record;
  for (;;) {
    core::Result<bool> more = reader_->Next(record);
    if (!more.ok()) {
      status_ = more.status();
      end_ = std::max(0.0, seg_end_);
      end_known_ = true;
      return false;
    }
    if (!*more) {
      if (!end_known_) {
        end_ = std::max(0.0, seg_end_);
        end_known_ = true;
      }
      return false;
    }
    if (!started_) {
      // The window starts at the configured time, or at the trace's first record.
      window_start_ = options_.start.value_or(record.start);
      if (options_.duration_s) {
        end_ = *options_.duration_s / speedup;
        end_known_ = true;
      }
      started_ = true;
    }
    const double window_end = options_.duration_s ? window_start_ + *options_.duration_s
                                                  : std::numeric_limits<double>::infinity();
    if (record.start >= window_end) {
      return false;  // the rest of the trace lies after the window
    }
    if (record.length == 0) {
      if (record.start < window_start_) continue;
      seg_point_ = true;
      seg_begin_ = seg_end_ = (record.start - window_start_) / speedup;
      const double expected = record.count * options_.scale;
      if (options_.arrivals == ArrivalMode::kPoisson) {
        seg_left_ = random_.Poisson(expected);
      } else {
        const double whole = std::floor(expected);
        seg_left_ =
            static_cast<std::uint64_t>(whole) + (random_.Uniform01() < expected - whole ? 1 : 0);
      }
      if (observer_ != nullptr) observer_->AddPoint(seg_begin_, expected);
      return true;
    }
    const double begin = std::max(record.start, window_start_);
    const double end = std::min(record.start + record.length, window_end);
    if (end <= begin) continue;
    const double expected = record.count * options_.scale * (end - begin) / record.length;
    seg_begin_ = cursor_ = (begin - window_start_) / speedup;
    seg_end_ = (end - window_start_) / speedup;
    seg_rate_ = expected / (seg_end_ - seg_begin_);
    if (options_.arrivals == ArrivalMode::kExact) {
      const double whole = std::floor(expected);
      seg_left_ =
          static_cast<std::uint64_t>(whole) + (random_.Uniform01() < expected - whole ? 1 : 0);
      seg_u_ = 0;
    }
    if (observer_ != nullptr) observer_->AddSpread(seg_begin_, seg_end_, expected);
    return true;
  }
}

void Arrivals::Advance() {
  for (;;) {
    if (seg_point_) {
      if (seg_left_ > 0) {
        --seg_left_;
        next_ = seg_begin_;
        return;
      }
    } else if (options_.arrivals == ArrivalMode::kPoisson) {
      if (seg_rate_ > 0) {
        // Memoryless: a draw past the segment's end is discarded and the next segment starts
        // its own process at its beginning.
        const double t = cursor_ + random_.Exponential(seg_rate_);
        if (t < seg_end_) {
          cursor_ = t;
          next_ = t;
          return;
        }
      }
    } else if (seg_left_ > 0) {
      // The next of seg_left_ sorted uniforms, drawn one at a time (order statistics).
      seg_u_ =
          1 - (1 - seg_u_) * std::pow(random_.Uniform01(), 1.0 / static_cast<double>(seg_left_));
      --seg_left_;
      next_ = seg_begin_ + seg_u_ * (seg_end_ - seg_begin_);
      return;
    }
    seg_rate_ = 0;
    if (!NextSegment()) {
      next_ = std::numeric_limits<double>::infinity();
      return;
    }
  }
}

}  // namespace ebb::workload
