#include "core/virtual_event_loop.h"

#include <algorithm>

#include "core/check.h"

namespace ebb::core {

TimerId VirtualEventLoop::ScheduleAt(Seconds at, Callback callback) {
  const TimerId id = next_id_++;
  queue_.push(Entry{std::max(at, now_), id});
  callbacks_.emplace(id, std::move(callback));
  return id;
}

void VirtualEventLoop::Cancel(TimerId id) { callbacks_.erase(id); }

void VirtualEventLoop::DropCancelled() {
  while (!queue_.empty() && !callbacks_.contains(queue_.top().id)) queue_.pop();
}

Seconds VirtualEventLoop::NextTimerAt() {
  DropCancelled();
  return queue_.empty() ? std::numeric_limits<Seconds>::infinity() : queue_.top().at;
}

std::uint64_t VirtualEventLoop::RunUntil(Seconds until) {
  std::uint64_t ran = 0;
  for (;;) {
    DropCancelled();
    if (queue_.empty() || queue_.top().at > until) break;
    const Entry entry = queue_.top();
    queue_.pop();
    auto it = callbacks_.find(entry.id);
    Callback callback = std::move(it->second);
    callbacks_.erase(it);
    now_ = std::max(now_, entry.at);
    callback();
    ++ran;
  }
  now_ = std::max(now_, until);
  return ran;
}

void VirtualEventLoop::AdvanceTo(Seconds to) {
  EBB_DCHECK(to <= NextTimerAt());
  now_ = std::max(now_, to);
}

}  // namespace ebb::core
