#include "core/realtime_event_loop.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

namespace ebb::core {

RealtimeEventLoop::RealtimeEventLoop() {
  sigemptyset(&signals_);
  int fds[2] = {-1, -1};
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
}

RealtimeEventLoop::~RealtimeEventLoop() {
  for (int fd : {signal_fd_, wake_read_, wake_write_}) {
    if (fd >= 0) ::close(fd);
  }
}

Seconds RealtimeEventLoop::Now() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

TimerId RealtimeEventLoop::ScheduleAt(Seconds at, Callback callback) {
  const TimerId id = next_id_++;
  timers_.emplace(std::make_pair(at, id), std::move(callback));
  when_.emplace(id, at);
  return id;
}

void RealtimeEventLoop::Cancel(TimerId id) {
  const auto it = when_.find(id);
  if (it == when_.end()) return;
  timers_.erase({it->second, id});
  when_.erase(it);
}

Status RealtimeEventLoop::HandleSignal(int signal, Callback callback) {
  sigaddset(&signals_, signal);
  if (::pthread_sigmask(SIG_BLOCK, &signals_, nullptr) != 0) {
    return InternalError("cannot block signal " + std::to_string(signal));
  }
  const int fd = ::signalfd(signal_fd_, &signals_, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return InternalError(std::string("signalfd: ") + std::strerror(errno));
  signal_fd_ = fd;
  signal_callbacks_.emplace_back(signal, std::move(callback));
  return Status::Ok();
}

void RealtimeEventLoop::Wake() {
  if (wake_write_ < 0) return;
  const char byte = 1;
  // A full pipe already holds a wake-up: nothing is lost when this write fails.
  [[maybe_unused]] const ssize_t n = ::write(wake_write_, &byte, 1);
}

void RealtimeEventLoop::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stop_ = true;
  }
  Wake();
}

Status RealtimeEventLoop::Run() {
  if (wake_read_ < 0) return InternalError("event loop: no wake-up pipe");
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(stop_mutex_);
      if (stop_) {
        stop_ = false;
        return Status::Ok();
      }
    }
    // Signals and wake-ups are read before every timer, due or not: a loop whose timers are
    // always late (a tick longer than its interval) must still hear SIGTERM.
    int timeout_ms = -1;
    if (!timers_.empty()) {
      const double wait_s = timers_.begin()->first.first - Now();
      timeout_ms = static_cast<int>(std::clamp(std::ceil(wait_s * 1000), 0.0, 3'600'000.0));
    }
    pollfd fds[2] = {{wake_read_, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
    const int n = ::poll(fds, signal_fd_ >= 0 ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return InternalError(std::string("event loop: poll: ") + std::strerror(errno));
    }
    if (fds[0].revents & POLLIN) {
      char buffer[64];
      while (::read(wake_read_, buffer, sizeof buffer) > 0) {
      }
    }
    if (signal_fd_ >= 0 && (fds[1].revents & POLLIN)) {
      signalfd_siginfo info{};
      while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        for (auto& [signal, callback] : signal_callbacks_) {
          if (static_cast<int>(info.ssi_signo) == signal) callback();
        }
      }
      continue;  // a callback may have stopped the loop or cancelled the next timer
    }
    // One due timer at a time, in time order, so that a callback may cancel the next.
    if (!timers_.empty() && timers_.begin()->first.first <= Now()) {
      auto node = timers_.extract(timers_.begin());
      when_.erase(node.key().second);
      node.mapped()();
    }
  }
}

}  // namespace ebb::core
