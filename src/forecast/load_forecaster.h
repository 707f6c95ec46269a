// LoadForecaster: the load a horizon ahead, for the policies that plan a boot time ahead, and how
// far its recent forecasts were off. Two methods:
//   kTrend        a least-squares line over the last `history_s` seconds (Cherub's regression)
//   kHoltWinters  additive Holt-Winters with a daily season (what the original study fitted
//                 offline in R), online: the load is averaged over bins of `bin_s`, and each
//                 closed bin updates the level, the trend and that time of day's seasonal term.
//                 Until a whole season has been seen the seasonal terms are zero.
// Every forecast is checked when its time comes: the relative error |forecast - actual| / actual
// is averaged with an exponential weight over `error_memory_s`, and a forecast whose recent
// error exceeds `max_error` is not trusted: the caller then sizes on the current load alone.
#pragma once

#include <deque>
#include <string_view>
#include <vector>

#include "core/load_history.h"
#include "core/status.h"
#include "core/time.h"

namespace ebb::forecast {

enum class ForecastMethod { kTrend, kHoltWinters };
core::Result<ForecastMethod> ParseForecastMethod(std::string_view name);

struct ForecasterOptions {
  ForecastMethod method = ForecastMethod::kTrend;
  core::Seconds history_s = 120;                 // kTrend: the regression's window
  core::Seconds bin_s = 300;                     // kHoltWinters: the seasonal resolution
  core::Seconds season_s = 86400;                // kHoltWinters: one day
  double alpha = 0.3, beta = 0.02, gamma = 0.3;  // kHoltWinters: smoothing of level, trend, season
  core::Seconds error_memory_s = 1800;           // weight of past errors halves over this time
  double max_error = 0.3;                        // a recent relative error above this: not trusted
};

struct Forecast {
  double rate_rps = 0;      // the load expected at now + horizon (>= 0)
  bool trusted = true;      // the recent error allows planning with it
  double recent_error = 0;  // the weighted mean relative error of the forecasts checked so far
};

class LoadForecaster {
 public:
  explicit LoadForecaster(ForecasterOptions options);

  // Feeds the current load (smoothed by the caller) at `now`, in time order, and forecasts
  // `horizon_s` ahead.
  Forecast Next(const core::LoadHistory& history, core::Seconds now, double current_rps,
                core::Seconds horizon_s);

 private:
  double HoltWintersAhead(core::Seconds now, core::Seconds horizon_s) const;
  void CloseBin(double mean_rps);
  void CheckDueForecasts(core::Seconds now, double actual_rps);

  ForecasterOptions options_;
  // Holt-Winters state.
  std::vector<double> season_;
  double level_ = 0, trend_ = 0;
  long bins_closed_ = 0;
  long bin_index_ = -1;  // the open bin, as bins since the epoch
  double bin_sum_ = 0;
  int bin_count_ = 0;
  // Forecasts waiting for their time, and the weighted error.
  struct Pending {
    core::Seconds due;
    double rate;
  };
  std::deque<Pending> pending_;
  double error_weight_ = 0, error_sum_ = 0;
  core::Seconds error_at_ = 0;
};

}  // namespace ebb::forecast
