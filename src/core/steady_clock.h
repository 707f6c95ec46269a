// SteadyClock: real, monotonic time, for code that runs outside any event loop (blocking child
// runs, batch tools). Stateless; any thread.
#pragma once

#include <chrono>

#include "core/clock.h"

namespace ebb::core {

class SteadyClock final : public Clock {
 public:
  Seconds Now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

}  // namespace ebb::core
