#include "forecast/load_forecaster.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/check.h"
#include "forecast/linear_regression.h"

namespace ebb::forecast {

core::Result<ForecastMethod> ParseForecastMethod(std::string_view name) {
  if (name == "trend") return ForecastMethod::kTrend;
  if (name == "holt-winters") return ForecastMethod::kHoltWinters;
  return core::InvalidArgumentError(
      fmt::format("unknown forecast \"{}\"; known: trend, holt-winters", name));
}

LoadForecaster::LoadForecaster(ForecasterOptions options) : options_(options) {
  EBB_CHECK(options_.bin_s > 0 && options_.season_s >= options_.bin_s);
  EBB_CHECK(options_.error_memory_s > 0 && options_.history_s > 0);
  season_.assign(static_cast<std::size_t>(std::llround(options_.season_s / options_.bin_s)), 0.0);
}

void LoadForecaster::CloseBin(double mean_rps) {
  const long season_bins = static_cast<long>(season_.size());
  const std::size_t slot = static_cast<std::size_t>(bin_index_ % season_bins);
  if (bins_closed_ < season_bins) {
    // The first season: keep the bins as they are, then start from their mean as the level and
    // each bin's difference from it as its seasonal term.
    season_[slot] = mean_rps;
    level_ = mean_rps;
    if (bins_closed_ + 1 == season_bins) {
      double sum = 0;
      for (double v : season_) sum += v;
      const double mean = sum / static_cast<double>(season_bins);
      for (double& v : season_) v -= mean;
      level_ = mean_rps - season_[slot];
      trend_ = 0;
    }
  } else {
    const double previous = level_;
    level_ = options_.alpha * (mean_rps - season_[slot]) + (1 - options_.alpha) * (level_ + trend_);
    trend_ = options_.beta * (level_ - previous) + (1 - options_.beta) * trend_;
    season_[slot] = options_.gamma * (mean_rps - level_) + (1 - options_.gamma) * season_[slot];
  }
  ++bins_closed_;
}

double LoadForecaster::HoltWintersAhead(core::Seconds now, core::Seconds horizon_s) const {
  if (bins_closed_ == 0) return -1;
  const long target_bin = static_cast<long>(std::floor((now + horizon_s) / options_.bin_s));
  const long ahead = std::max(1L, target_bin - bin_index_ + 1);
  // Before a whole season the level is the last bin and there is no seasonal term yet.
  const bool seasonal = bins_closed_ >= static_cast<long>(season_.size());
  if (!seasonal) return level_;
  const double season =
      seasonal ? season_[static_cast<std::size_t>(target_bin % static_cast<long>(season_.size()))]
               : 0;
  return level_ + trend_ * static_cast<double>(ahead) + season;
}

void LoadForecaster::CheckDueForecasts(core::Seconds now, double actual_rps) {
  while (!pending_.empty() && pending_.front().due <= now) {
    const double forecast = pending_.front().rate;
    pending_.pop_front();
    // Relative to the actual load, with one request per second as the floor so that a quiet
    // night does not make every small difference an error of 100 %.
    const double error = std::abs(forecast - actual_rps) / std::max(actual_rps, 1.0);
    if (error_weight_ > 0) {
      const double decay = std::exp2(-(now - error_at_) / options_.error_memory_s);
      error_weight_ *= decay;
      error_sum_ *= decay;
    }
    error_weight_ += 1;
    error_sum_ += std::min(error, 10.0);
    error_at_ = now;
  }
}

Forecast LoadForecaster::Next(const core::LoadHistory& history, core::Seconds now,
                              double current_rps, core::Seconds horizon_s) {
  CheckDueForecasts(now, current_rps);
  double ahead = current_rps;
  if (options_.method == ForecastMethod::kTrend) {
    ahead = FitLine(history, now, options_.history_s).ValueAt(now + horizon_s);
  } else {
    const long bin = static_cast<long>(std::floor(now / options_.bin_s));
    if (bin != bin_index_) {
      if (bin_count_ > 0) CloseBin(bin_sum_ / bin_count_);
      bin_index_ = bin;
      bin_sum_ = 0;
      bin_count_ = 0;
    }
    bin_sum_ += current_rps;
    ++bin_count_;
    const double hw = HoltWintersAhead(now, horizon_s);
    if (hw >= 0 || bins_closed_ > 0) ahead = hw;
  }
  Forecast out;
  out.rate_rps = std::max(0.0, ahead);
  pending_.push_back({.due = now + horizon_s, .rate = out.rate_rps});
  out.recent_error = error_weight_ > 0 ? error_sum_ / error_weight_ : 0;
  out.trusted = out.recent_error <= options_.max_error;
  return out;
}

}  // namespace ebb::forecast
