#include "forecast/mean_load.h"

#include <vector>

namespace ebb::forecast {

std::optional<double> MeanRate(std::span<const core::LoadSample> samples) {
  if (samples.empty()) return std::nullopt;
  double sum = 0;
  for (const core::LoadSample& s : samples) sum += s.rate_rps;
  return sum / static_cast<double>(samples.size());
}

std::optional<double> MeanLoad(const core::LoadHistory& history, core::Seconds now,
                               core::Seconds window) {
  const std::vector<core::LoadSample> samples = history.Window(now, window);
  return MeanRate(samples);
}

}  // namespace ebb::forecast
