// Time in ebb: seconds as double. In the simulator they count from the start of the run; in the
// daemon from the Unix epoch. Durations are seconds too.
#pragma once

namespace ebb::core {

using Seconds = double;

}  // namespace ebb::core
