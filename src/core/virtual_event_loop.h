// VirtualEventLoop: an EventLoop on virtual time. Time moves only when the owner advances it
// (RunUntil / AdvanceTo), so a simulated day takes as long as its events take to process. The
// simulator interleaves its own high-volume events (arrivals, departures) with these timers by
// asking NextTimerAt() and advancing the clock itself.
#pragma once

#include <limits>
#include <queue>
#include <unordered_map>
#include <vector>

#include "core/event_loop.h"

namespace ebb::core {

class VirtualEventLoop final : public EventLoop {
 public:
  explicit VirtualEventLoop(Seconds start = 0.0) : now_(start) {}

  Seconds Now() const override { return now_; }
  TimerId ScheduleAt(Seconds at, Callback callback) override;
  void Cancel(TimerId id) override;

  // Time of the earliest pending timer, or +infinity when there is none.
  Seconds NextTimerAt();
  // Runs every timer due at or before `until` in order, then leaves the clock at `until`.
  // Returns the number of callbacks run.
  std::uint64_t RunUntil(Seconds until);
  // Moves the clock forward without running timers; `to` must not pass NextTimerAt().
  void AdvanceTo(Seconds to);
  bool Empty() const { return callbacks_.empty(); }

 private:
  struct Entry {
    Seconds at;
    TimerId id;
    bool operator>(const Entry& other) const {
      return at != other.at ? at > other.at : id > other.id;
    }
  };
  void DropCancelled();

  Seconds now_;
  TimerId next_id_ = 1;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::unordered_map<TimerId, Callback> callbacks_;
};

}  // namespace ebb::core
