// Mean load: the arithmetic mean of the sampled arrival rates in a window. The controller samples
// once per tick, so samples are evenly spaced and the plain mean is the time-weighted one. Pure
// functions; the "regression-mean" policy uses the mean of the last seconds as its current load,
// which smooths the noise of a single one-second sample.
#pragma once

#include <optional>
#include <span>

#include "core/load_history.h"
#include "core/time.h"

namespace ebb::forecast {

// Mean rate of `samples`, or nullopt when there is none.
std::optional<double> MeanRate(std::span<const core::LoadSample> samples);

// Mean rate of the samples of `history` with time in (now - window, now], or nullopt when the
// window holds no sample.
std::optional<double> MeanLoad(const core::LoadHistory& history, core::Seconds now,
                               core::Seconds window);

}  // namespace ebb::forecast
