// RealtimeEventLoop: the daemon's EventLoop. Timers run at wall-clock times (Unix seconds, the
// same time base as the decisions and the state store); between them the loop sleeps in poll()
// on a wake-up pipe and a signalfd, so signals (SIGTERM, SIGINT, SIGHUP) arrive as callbacks on
// the loop's thread, never in a signal handler. One thread runs Run(); Post() and Stop() may be
// called from any thread.
#pragma once

#include <csignal>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "core/event_loop.h"
#include "core/status.h"

namespace ebb::core {

class RealtimeEventLoop final : public EventLoop {
 public:
  RealtimeEventLoop();
  ~RealtimeEventLoop() override;
  RealtimeEventLoop(const RealtimeEventLoop&) = delete;
  RealtimeEventLoop& operator=(const RealtimeEventLoop&) = delete;

  Seconds Now() const override;
  TimerId ScheduleAt(Seconds at, Callback callback) override;
  void Cancel(TimerId id) override;

  // Blocks `signal` for the whole process and calls `callback` on the loop thread when it
  // arrives. Call before starting other threads, so that they inherit the blocked mask.
  Status HandleSignal(int signal, Callback callback);

  // Runs timers and signal callbacks until Stop(). Errors only when the loop cannot wait.
  Status Run();
  // Thread-safe: Run() returns after the callback that is running, if any.
  void Stop();

 private:
  void Wake();

  std::map<std::pair<Seconds, TimerId>, Callback> timers_;
  std::map<TimerId, Seconds> when_;
  TimerId next_id_ = 1;
  std::vector<std::pair<int, Callback>> signal_callbacks_;
  sigset_t signals_{};
  int signal_fd_ = -1;
  int wake_read_ = -1;
  int wake_write_ = -1;
  std::mutex stop_mutex_;
  bool stop_ = false;
};

}  // namespace ebb::core
