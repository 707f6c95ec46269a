// Exponentially weighted moving average of the arrival rate, aware of uneven sample spacing: a
// sample `dt` seconds after the previous one moves the average by 1 - exp(-dt / time_constant_s)
// of the difference, so the result does not depend on the tick interval. Pure function over the
// samples, oldest first.
#pragma once

#include <optional>
#include <span>

#include "core/load_history.h"
#include "core/time.h"

namespace ebb::forecast {

// The EWMA of `samples` (oldest first) after the last one, or nullopt when there is none. The
// first sample starts the average. `time_constant_s` must be positive.
std::optional<double> Ewma(std::span<const core::LoadSample> samples,
                           core::Seconds time_constant_s);

}  // namespace ebb::forecast
