#include "forecast/load_forecaster.h"

#include <cmath>

#include <gtest/gtest.h>

#include "workload/random.h"

namespace ebb::forecast {
namespace {

double Daily(double t) { return 100 + 80 * std::sin(t * 2 * M_PI / 86400); }

// Feeds one sample a second for `days` and returns the mean relative error of the forecasts
// `horizon` ahead made on the last day.
double LastDayError(ForecastMethod method, double horizon, int days) {
  LoadForecaster f({.method = method});
  core::LoadHistory history(256);
  double error = 0;
  int n = 0;
  for (int t = 0; t < days * 86400; ++t) {
    history.Add({.at = static_cast<double>(t), .rate_rps = Daily(t)});
    const Forecast out = f.Next(history, t, Daily(t), horizon);
    if (t >= (days - 1) * 86400) {
      error += std::abs(out.rate_rps - Daily(t + horizon)) / Daily(t + horizon);
      ++n;
    }
  }
  return error / n;
}

TEST(LoadForecasterTest, HoltWintersLearnsTheDayAndForecastsFarAhead) {
  // Three hours ahead the trend line overshoots at every turn of the day; the season does not.
  const double hw = LastDayError(ForecastMethod::kHoltWinters, 3 * 3600, 3);
  const double trend = LastDayError(ForecastMethod::kTrend, 3 * 3600, 1);  // needs no warm-up
  EXPECT_LT(hw, 0.05);
  EXPECT_LT(hw, trend / 2) << "trend " << trend;
}

TEST(LoadForecasterTest, ATrendAheadOnARamp) {
  LoadForecaster f({.method = ForecastMethod::kTrend, .history_s = 60});
  core::LoadHistory history(128);
  Forecast out;
  for (int t = 0; t < 4000; ++t) {
    history.Add({.at = static_cast<double>(t), .rate_rps = 10 + 0.5 * t});
    out = f.Next(history, t, 10 + 0.5 * t, 60);
  }
  EXPECT_NEAR(out.rate_rps, 10 + 0.5 * 4059, 1e-6);
  EXPECT_TRUE(out.trusted);
  // Only the first forecasts, from a few samples, were off; their weight has decayed.
  EXPECT_LT(out.recent_error, 0.01);
}

TEST(LoadForecasterTest, ALargeRecentErrorIsNotTrusted) {
  // A load that jumps between 10 and 200 at random every minute cannot be forecast.
  LoadForecaster f({.method = ForecastMethod::kTrend, .history_s = 60});
  core::LoadHistory history(128);
  workload::Random random(3);
  double rate = 10;
  Forecast out;
  for (int t = 0; t < 7200; ++t) {
    if (t % 60 == 0) rate = random.Uniform01() < 0.5 ? 10 : 200;
    history.Add({.at = static_cast<double>(t), .rate_rps = rate});
    out = f.Next(history, t, rate, 60);
  }
  EXPECT_GT(out.recent_error, 0.3);
  EXPECT_FALSE(out.trusted);
}

TEST(LoadForecasterTest, ParsesTheMethodNames) {
  EXPECT_EQ(*ParseForecastMethod("trend"), ForecastMethod::kTrend);
  EXPECT_EQ(*ParseForecastMethod("holt-winters"), ForecastMethod::kHoltWinters);
  EXPECT_FALSE(ParseForecastMethod("arima").ok());
}

}  // namespace
}  // namespace ebb::forecast
