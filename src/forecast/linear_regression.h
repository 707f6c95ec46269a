// Least-squares line through load samples: rate = intercept + slope * time. Pure functions on
// copies of the history, no state; the regression policies use the slope to estimate when the
// serving nodes will be overloaded.
//
// Times in the daemon count from the Unix epoch (~1.7e9 s), so the fit is computed around the mean
// sample time and ValueAt() evaluates it there; `intercept_rps` (the value at time 0) is given for
// completeness but loses precision for large times.
#pragma once

#include <cstddef>
#include <span>

#include "core/load_history.h"
#include "core/time.h"

namespace ebb::forecast {

struct LinearFit {
  double slope_rps_per_s = 0;  // change of the arrival rate per second
  double intercept_rps = 0;    // value of the line at time 0
  core::Seconds mean_at = 0;   // mean time of the samples; the line passes through
  double mean_rate_rps = 0;    // (mean_at, mean_rate_rps)
  std::size_t samples = 0;     // number of samples the fit used

  // The rate the line gives at time `at` (may be negative for a falling trend).
  double ValueAt(core::Seconds at) const {
    return mean_rate_rps + slope_rps_per_s * (at - mean_at);
  }
};

// Fits a line through `samples` (in any order). With no sample the fit is the zero line; with one
// sample, or when all samples share the same time, the slope is 0 and the line is the mean rate.
LinearFit FitLine(std::span<const core::LoadSample> samples);

// Fits a line through the samples of `history` with time in (now - window, now].
LinearFit FitLine(const core::LoadHistory& history, core::Seconds now, core::Seconds window);

}  // namespace ebb::forecast
