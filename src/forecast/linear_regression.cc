#include "forecast/linear_regression.h"

#include <vector>

namespace ebb::forecast {

LinearFit FitLine(std::span<const core::LoadSample> samples) {
  LinearFit fit;
  fit.samples = samples.size();
  if (samples.empty()) return fit;

  const double n = static_cast<double>(samples.size());
  double sum_t = 0;
  double sum_r = 0;
  for (const core::LoadSample& s : samples) {
    sum_t += s.at;
    sum_r += s.rate_rps;
  }
  fit.mean_at = sum_t / n;
  fit.mean_rate_rps = sum_r / n;

  // Centred sums: large epoch times would otherwise cancel catastrophically.
  double s_tt = 0;
  double s_tr = 0;
  for (const core::LoadSample& s : samples) {
    const double dt = s.at - fit.mean_at;
    s_tt += dt * dt;
    s_tr += dt * (s.rate_rps - fit.mean_rate_rps);
  }
  fit.slope_rps_per_s = s_tt > 0 ? s_tr / s_tt : 0.0;
  fit.intercept_rps = fit.mean_rate_rps - fit.slope_rps_per_s * fit.mean_at;
  return fit;
}

LinearFit FitLine(const core::LoadHistory& history, core::Seconds now, core::Seconds window) {
  const std::vector<core::LoadSample> samples = history.Window(now, window);
  return FitLine(samples);
}

}  // namespace ebb::forecast
