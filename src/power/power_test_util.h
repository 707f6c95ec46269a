// Helpers for the power driver tests: clocks and bounded waits for completions.
#pragma once

#include <chrono>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "power/power_driver.h"

namespace ebb::power {

// The daemon's kind of clock: real, monotonic time.
class SteadyClock final : public core::Clock {
 public:
  core::Seconds Now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

// Time that moves only when the test says so.
class ManualClock final : public core::Clock {
 public:
  core::Seconds Now() const override { return now_; }
  void Advance(core::Seconds by) { now_ += by; }

 private:
  core::Seconds now_ = 1000;
};

// Polls TakeCompletions() every 10 ms until `count` completions arrived or `limit_s` passed
// (generous: the machine may be loaded). Returns what arrived.
inline std::vector<PowerCompletion> WaitForCompletions(PowerDriver& driver, std::size_t count,
                                                       double limit_s = 20) {
  std::vector<PowerCompletion> out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  while (out.size() < count && std::chrono::steady_clock::now() < until) {
    driver.TakeCompletions(out);
    if (out.size() < count) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return out;
}

// Polls `condition` every 10 ms for up to `limit_s`; true once it held.
template <typename Condition>
bool WaitUntil(Condition condition, double limit_s = 20) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

}  // namespace ebb::power
