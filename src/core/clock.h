// Clock: the one seam through which the controller reads time. The daemon's clock is the system
// clock; the simulator's is the virtual time of its event loop. Policies never read a clock: the
// controller passes `now` to them.
#pragma once

#include "core/time.h"

namespace ebb::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Seconds Now() const = 0;
};

}  // namespace ebb::core
