// EventLoop: a single-threaded timer loop that owns the controller's state. Callbacks run on the
// loop's thread, one at a time, in time order; timers at the same time run in the order they were
// scheduled. The virtual-time implementation (VirtualEventLoop) drives the simulator; a real-time
// one drives the daemon. Both are Clocks.
#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"

namespace ebb::core {

using TimerId = std::uint64_t;

class EventLoop : public Clock {
 public:
  using Callback = std::function<void()>;

  // Runs `callback` at `at` (or at Now() if `at` is in the past).
  virtual TimerId ScheduleAt(Seconds at, Callback callback) = 0;
  TimerId ScheduleAfter(Seconds delay, Callback callback) {
    return ScheduleAt(Now() + delay, std::move(callback));
  }
  // Cancelling a timer that already ran or was cancelled is a no-op.
  virtual void Cancel(TimerId id) = 0;
};

}  // namespace ebb::core
