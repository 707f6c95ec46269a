#include "forecast/ewma.h"

#include <cmath>

#include "core/check.h"

namespace ebb::forecast {

std::optional<double> Ewma(std::span<const core::LoadSample> samples,
                           core::Seconds time_constant_s) {
  EBB_CHECK(time_constant_s > 0);
  if (samples.empty()) return std::nullopt;
  double value = samples.front().rate_rps;
  for (std::size_t i = 1; i < samples.size(); ++i) {
    const double dt = samples[i].at - samples[i - 1].at;
    // A sample no later than the previous one adds no time, so it does not move the average.
    const double alpha = dt > 0 ? 1.0 - std::exp(-dt / time_constant_s) : 0.0;
    value += alpha * (samples[i].rate_rps - value);
  }
  return value;
}

}  // namespace ebb::forecast
