// The replay engine on epoll: one thread, non-blocking sockets, level-triggered events, one
// timerfd for the next wake-up. Deadlines (connect and response) all have the same length and
// start in time order, so they live in an intrusive FIFO list: insert, remove and "next deadline"
// are O(1), no timer wheel or heap needed.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <deque>
#include <string>
#include <vector>

#include "stats/latency_histogram.h"
#include "tools/replay/http_response_parser.h"
#include "tools/replay/replayer.h"

namespace ebb::replay {
namespace {

using Nanos = std::int64_t;
constexpr Nanos kNever = std::numeric_limits<Nanos>::max();
constexpr Nanos kSecond = 1'000'000'000;
constexpr std::uint32_t kTimerSlot = 0xffffffffu;
// The longest the loop blocks: bounds how late it notices the stop flag.
constexpr Nanos kMaxBlock = 100'000'000;
constexpr int kMaxEvents = 256;
constexpr std::size_t kReadBufferSize = 64 * 1024;

Nanos MonotonicNow() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<Nanos>(ts.tv_sec) * kSecond + ts.tv_nsec;
}

Nanos ToNanos(double seconds) {
  if (!(seconds < 1e9)) return kNever;
  return static_cast<Nanos>(std::llround(seconds * 1e9));
}

double ToSeconds(Nanos n) { return static_cast<double>(n) * 1e-9; }

std::string Errno(std::string_view what) { return std::string(what) + ": " + std::strerror(errno); }

enum class ConnState { kFree, kConnecting, kIdle, kBusy };
enum class ErrorKind { kConnect, kTimeout, kReset, kProtocol };

struct Connection {
  int fd = -1;
  ConnState state = ConnState::kFree;
  std::uint32_t generation = 0;
  bool want_write = false;  // EPOLLOUT is registered
  // The request it carries (from Open or Send until Complete or Fail).
  bool has_request = false;
  Nanos scheduled = 0;
  Nanos sent = 0;
  Nanos first_byte = 0;
  bool got_byte = false;
  std::size_t written = 0;
  HttpResponseParser parser;
  // The deadline list.
  Nanos deadline = kNever;
  int prev = -1;
  int next = -1;
  bool listed = false;
};

class EpollReplayer {
 public:
  EpollReplayer(const ReplayOptions& options, ReplayMode mode) : options_(options), mode_(mode) {}
  ~EpollReplayer() {
    for (Connection& c : conns_) {
      if (c.fd >= 0) ::close(c.fd);
    }
    if (timer_fd_ >= 0) ::close(timer_fd_);
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }
  EpollReplayer(const EpollReplayer&) = delete;
  EpollReplayer& operator=(const EpollReplayer&) = delete;

  core::Status Init();
  ReplayReport Run(SendSchedule* schedule);

 private:
  std::uint64_t Key(int slot) const {
    return (std::uint64_t{conns_[slot].generation} << 32) | static_cast<std::uint32_t>(slot);
  }
  void Watch(int slot, int op, std::uint32_t events);
  void ArmTimer(Nanos at);

  void Dispatch(Nanos at, Nanos now);
  void Open(Nanos at, Nanos now);
  void OnConnectReady(int slot, Nanos now);
  void Send(int slot, Nanos at, Nanos now);
  void WriteMore(int slot);
  void OnReadable(int slot, Nanos now);
  void Complete(int slot, Nanos now, bool reusable);
  void Fail(int slot, ErrorKind kind);
  void Release(int slot, Nanos now);
  void Close(int slot);
  void Refill(Nanos now);
  void ExpireDeadlines(Nanos now);

  void List(int slot, Nanos deadline);
  void Unlist(int slot);

  ReplayOptions options_;
  ReplayMode mode_;
  SocketAddress address_;
  std::string request_;
  Nanos timeout_ = 0;
  Nanos sla_ = 0;
  Nanos start_ = 0;
  Nanos end_ = kNever;  // max-rate: when sending stops
  int epoll_fd_ = -1;
  int timer_fd_ = -1;
  Nanos timer_at_ = 0;

  std::vector<Connection> conns_;
  std::vector<int> free_;      // free slots
  std::vector<int> idle_;      // idle connections, most recently used last
  std::deque<Nanos> pending_;  // scheduled times waiting for a connection
  int open_ = 0;
  int head_ = -1;  // deadline list, earliest first
  int tail_ = -1;
  std::vector<char> buffer_;

  ReplayReport report_;
  stats::LatencyHistogram first_byte_;
  stats::LatencyHistogram response_;
  stats::LatencyHistogram lag_;
};

core::Status EpollReplayer::Init() {
  if (options_.connections < 1) return core::InvalidArgumentError("--connections must be >= 1");
  if (!(options_.timeout_s > 0)) return core::InvalidArgumentError("--timeout-ms must be > 0");
  if (!(options_.sla_s > 0)) return core::InvalidArgumentError("--sla-ms must be > 0");
  if (mode_ == ReplayMode::kMaxRate && !(options_.duration_s > 0 && options_.duration_s < 1e7)) {
    return core::InvalidArgumentError("--max-rate needs a --duration > 0 seconds");
  }
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    const rlim_t need = static_cast<rlim_t>(options_.connections) + 32;
    if (files.rlim_cur < need) {
      files.rlim_cur = std::min(need, files.rlim_max);
      ::setrlimit(RLIMIT_NOFILE, &files);
      if (files.rlim_cur < need) {
        return core::InvalidArgumentError("--connections " + std::to_string(options_.connections) +
                                          " needs more open files than the limit " +
                                          std::to_string(files.rlim_max));
      }
    }
  }
  EBB_ASSIGN_OR_RETURN(address_, ResolveHttpUrl(options_.target));
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return core::InternalError(Errno("epoll_create1"));
  timer_fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) return core::InternalError(Errno("timerfd_create"));
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kTimerSlot;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, timer_fd_, &event) != 0) {
    return core::InternalError(Errno("epoll_ctl(timerfd)"));
  }
  conns_.resize(static_cast<std::size_t>(options_.connections));
  for (int i = options_.connections - 1; i >= 0; --i) free_.push_back(i);
  idle_.reserve(conns_.size());
  buffer_.resize(kReadBufferSize);
  request_ = "GET " + options_.target.path + " HTTP/1.1\r\nHost: " + options_.target.HostHeader() +
             "\r\nUser-Agent: ebb-replay/0.1\r\nAccept: */*\r\n\r\n";
  timeout_ = ToNanos(options_.timeout_s);
  sla_ = ToNanos(options_.sla_s);
  report_.mode = mode_;
  report_.target = options_.target.ToString();
  report_.sla_ms = 1e3 * options_.sla_s;
  report_.max_connections = conns_.size();
  return core::Status::Ok();
}

void EpollReplayer::Watch(int slot, int op, std::uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = Key(slot);
  // Fails only for a closed fd or without memory; the connection then times out.
  (void)::epoll_ctl(epoll_fd_, op, conns_[slot].fd, &event);
}

void EpollReplayer::ArmTimer(Nanos at) {
  if (at == timer_at_) return;
  timer_at_ = at;
  itimerspec spec{};
  spec.it_value.tv_sec = at / kSecond;
  spec.it_value.tv_nsec = at % kSecond;
  (void)::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
}

void EpollReplayer::List(int slot, Nanos deadline) {
  Unlist(slot);
  Connection& c = conns_[slot];
  c.deadline = deadline;
  c.prev = tail_;
  c.next = -1;
  c.listed = true;
  if (tail_ >= 0) {
    conns_[tail_].next = slot;
  } else {
    head_ = slot;
  }
  tail_ = slot;
}

void EpollReplayer::Unlist(int slot) {
  Connection& c = conns_[slot];
  if (!c.listed) return;
  if (c.prev >= 0) {
    conns_[c.prev].next = c.next;
  } else {
    head_ = c.next;
  }
  if (c.next >= 0) {
    conns_[c.next].prev = c.prev;
  } else {
    tail_ = c.prev;
  }
  c.prev = c.next = -1;
  c.listed = false;
}

void EpollReplayer::Dispatch(Nanos at, Nanos now) {
  if (!idle_.empty()) {
    const int slot = idle_.back();
    idle_.pop_back();
    Send(slot, at, now);
  } else if (open_ < options_.connections) {
    Open(at, now);
  } else {
    pending_.push_back(at);
  }
}

void EpollReplayer::Open(Nanos at, Nanos now) {
  const int slot = free_.back();
  free_.pop_back();
  Connection& c = conns_[slot];
  c.state = ConnState::kConnecting;
  c.has_request = true;
  c.scheduled = at;
  c.want_write = true;
  ++open_;
  c.fd = ::socket(address_.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c.fd < 0) {
    Fail(slot, ErrorKind::kConnect);
    return;
  }
  ++report_.connections_opened;
  const int one = 1;
  (void)::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc =
      ::connect(c.fd, reinterpret_cast<const sockaddr*>(&address_.storage), address_.length);
  if (rc != 0 && errno != EINPROGRESS) {
    Fail(slot, ErrorKind::kConnect);
    return;
  }
  Watch(slot, EPOLL_CTL_ADD, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
  List(slot, now + timeout_);
  if (rc == 0) OnConnectReady(slot, now);
}

void EpollReplayer::OnConnectReady(int slot, Nanos now) {
  Connection& c = conns_[slot];
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    Fail(slot, ErrorKind::kConnect);
    return;
  }
  Send(slot, c.scheduled, now);
}

void EpollReplayer::Send(int slot, Nanos at, Nanos now) {
  Connection& c = conns_[slot];
  c.state = ConnState::kBusy;
  c.has_request = true;
  c.scheduled = at;
  c.sent = now;
  c.got_byte = false;
  c.written = 0;
  c.parser.Reset();
  if (mode_ == ReplayMode::kSchedule) lag_.Add(ToSeconds(std::max<Nanos>(0, now - at)));
  List(slot, now + timeout_);
  WriteMore(slot);
}

void EpollReplayer::WriteMore(int slot) {
  Connection& c = conns_[slot];
  while (c.written < request_.size()) {
    const ssize_t n = ::send(c.fd, request_.data() + c.written, request_.size() - c.written,
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      c.written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!c.want_write) {
        c.want_write = true;
        Watch(slot, EPOLL_CTL_MOD, EPOLLIN | EPOLLOUT | EPOLLRDHUP);
      }
      return;
    } else {
      Fail(slot, ErrorKind::kReset);
      return;
    }
  }
  ++report_.sent;
  if (c.want_write) {
    c.want_write = false;
    Watch(slot, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP);
  }
}

void EpollReplayer::OnReadable(int slot, Nanos now) {
  Connection& c = conns_[slot];
  const ssize_t n = ::recv(c.fd, buffer_.data(), buffer_.size(), 0);
  if (n > 0) {
    if (c.state != ConnState::kBusy) {
      // Bytes nobody asked for on an idle connection: it cannot be trusted for the next request.
      Close(slot);
      return;
    }
    if (!c.got_byte) {
      c.got_byte = true;
      c.first_byte = now;
    }
    const auto size = static_cast<std::size_t>(n);
    const HttpResponseParser::Progress progress = c.parser.Feed({buffer_.data(), size});
    if (progress.state == HttpResponseParser::State::kError) {
      Fail(slot, ErrorKind::kProtocol);
    } else if (progress.state == HttpResponseParser::State::kComplete) {
      // Bytes after the response (we never pipeline) make the connection unusable.
      Complete(slot, now, progress.consumed == size);
    }
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  // End of stream or an error.
  if (c.state != ConnState::kBusy) {
    Close(slot);
  } else if (n == 0 && c.parser.FinishOnClose() == HttpResponseParser::State::kComplete) {
    Complete(slot, now, false);
  } else {
    Fail(slot, ErrorKind::kReset);
  }
}

void EpollReplayer::Complete(int slot, Nanos now, bool reusable) {
  Connection& c = conns_[slot];
  ++report_.completed;
  first_byte_.Add(ToSeconds((c.got_byte ? c.first_byte : now) - c.sent));
  response_.Add(ToSeconds(now - c.sent));
  const int status = c.parser.status();
  if (status >= 200 && status < 300) {
    ++report_.status_2xx;
  } else if (status >= 300 && status < 400) {
    ++report_.status_3xx;
  } else if (status >= 400 && status < 500) {
    ++report_.status_4xx;
  } else if (status >= 500 && status < 600) {
    ++report_.status_5xx;
  } else {
    ++report_.status_other;
  }
  if (status >= 400) {
    ++report_.errors.status;
  } else if (now - c.scheduled <= sla_) {
    ++report_.sla_ok;
  }
  c.has_request = false;
  Unlist(slot);
  if (reusable && c.parser.keep_alive()) {
    Release(slot, now);
  } else {
    Close(slot);
  }
}

void EpollReplayer::Fail(int slot, ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect:
      ++report_.errors.connect;
      break;
    case ErrorKind::kTimeout:
      ++report_.errors.timeout;
      break;
    case ErrorKind::kReset:
      ++report_.errors.reset;
      break;
    case ErrorKind::kProtocol:
      ++report_.errors.protocol;
      break;
  }
  conns_[slot].has_request = false;
  Close(slot);
}

void EpollReplayer::Release(int slot, Nanos now) {
  if (mode_ == ReplayMode::kMaxRate) {
    if (now < end_) {
      ++report_.scheduled;
      Send(slot, now, now);
      return;
    }
  } else {
    while (!pending_.empty() && pending_.front() + timeout_ <= now) {
      pending_.pop_front();
      ++report_.errors.timeout;
    }
    if (!pending_.empty()) {
      const Nanos at = pending_.front();
      pending_.pop_front();
      Send(slot, at, now);
      return;
    }
  }
  conns_[slot].state = ConnState::kIdle;
  idle_.push_back(slot);
}

void EpollReplayer::Close(int slot) {
  Connection& c = conns_[slot];
  if (c.state == ConnState::kFree) return;
  if (c.state == ConnState::kIdle) {
    const auto it = std::find(idle_.begin(), idle_.end(), slot);
    if (it != idle_.end()) idle_.erase(it);
  }
  if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
  c.fd = -1;
  c.state = ConnState::kFree;
  c.has_request = false;
  c.want_write = false;
  ++c.generation;  // events already returned for the old socket are ignored
  Unlist(slot);
  --open_;
  free_.push_back(slot);
}

void EpollReplayer::Refill(Nanos now) {
  if (mode_ == ReplayMode::kMaxRate) {
    // Bounded: against a closed port every Open fails at once and frees its slot again.
    for (int i = 0; i < options_.connections && open_ < options_.connections && now < end_; ++i) {
      ++report_.scheduled;
      Open(now, now);
    }
    return;
  }
  while (!pending_.empty() && open_ < options_.connections) {
    const Nanos at = pending_.front();
    pending_.pop_front();
    Open(at, now);
  }
}

void EpollReplayer::ExpireDeadlines(Nanos now) {
  while (head_ >= 0 && conns_[head_].deadline <= now) {
    const int slot = head_;
    Fail(slot,
         conns_[slot].state == ConnState::kConnecting ? ErrorKind::kConnect : ErrorKind::kTimeout);
  }
  while (!pending_.empty() && pending_.front() + timeout_ <= now) {
    pending_.pop_front();
    ++report_.errors.timeout;
  }
}

ReplayReport EpollReplayer::Run(SendSchedule* schedule) {
  start_ = MonotonicNow();
  if (mode_ == ReplayMode::kMaxRate) end_ = start_ + ToNanos(options_.duration_s);
  const Nanos spin = ToNanos(options_.spin_s);
  const Nanos schedule_end = ToNanos(options_.duration_s);
  Nanos next_progress = start_ + kSecond;
  bool sending = mode_ == ReplayMode::kSchedule;
  std::vector<epoll_event> events(kMaxEvents);
  Nanos now = start_;
  for (;;) {
    now = MonotonicNow();
    if (options_.stop != nullptr && options_.stop->load(std::memory_order_relaxed)) {
      report_.interrupted = true;
      break;
    }
    Nanos next_send = kNever;
    if (mode_ == ReplayMode::kSchedule) {
      while (sending) {
        const Nanos offset = ToNanos(schedule->Peek());
        if (offset >= schedule_end || offset == kNever) {
          sending = false;
          break;
        }
        next_send = start_ + offset;
        if (next_send > now) break;
        schedule->Pop();
        ++report_.scheduled;
        Dispatch(next_send, now);
        now = MonotonicNow();
      }
      if (!sending) next_send = kNever;
      Refill(now);
      if (!sending && open_ == static_cast<int>(idle_.size()) && pending_.empty()) break;
    } else {
      if (now >= end_) break;
      Refill(now);
    }
    ExpireDeadlines(now);
    Refill(now);
    if (now >= next_progress) {
      next_progress += kSecond;
      if (options_.on_progress) {
        std::uint64_t in_flight = 0;
        for (const Connection& c : conns_) in_flight += c.has_request ? 1 : 0;
        options_.on_progress({.elapsed_s = ToSeconds(now - start_),
                              .scheduled = report_.scheduled,
                              .completed = report_.completed,
                              .errors = report_.errors.total(),
                              .in_flight = in_flight,
                              .queued = pending_.size()});
      }
    }

    Nanos wake = std::min({next_progress, end_, next_send == kNever ? kNever : next_send - spin});
    if (head_ >= 0) wake = std::min(wake, conns_[head_].deadline);
    if (!pending_.empty()) wake = std::min(wake, pending_.front() + timeout_);
    int timeout_ms = 0;
    if (wake > now) {
      if (wake - now > kMaxBlock) {
        timeout_ms = static_cast<int>(kMaxBlock / 1'000'000);
      } else {
        ArmTimer(wake);
        timeout_ms = static_cast<int>(kMaxBlock / 1'000'000) + 1;
      }
    }
    const int n = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, timeout_ms);
    if (n <= 0) continue;  // a timeout, or EINTR (SIGINT): the loop head looks at the stop flag
    now = MonotonicNow();
    for (int i = 0; i < n; ++i) {
      const std::uint64_t key = events[i].data.u64;
      if (key == kTimerSlot) {
        std::uint64_t expirations;
        (void)!::read(timer_fd_, &expirations, sizeof expirations);
        timer_at_ = 0;
        continue;
      }
      const auto slot = static_cast<int>(key & 0xffffffffu);
      if (slot < 0 || slot >= static_cast<int>(conns_.size())) continue;
      Connection& c = conns_[slot];
      if (c.state == ConnState::kFree || c.generation != static_cast<std::uint32_t>(key >> 32)) {
        continue;  // closed earlier in this batch
      }
      const std::uint32_t what = events[i].events;
      if (c.state == ConnState::kConnecting) {
        if ((what & (EPOLLOUT | EPOLLERR | EPOLLHUP)) != 0) OnConnectReady(slot, now);
        continue;
      }
      if ((what & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0) OnReadable(slot, now);
      if ((what & EPOLLOUT) != 0 && c.state == ConnState::kBusy &&
          c.generation == static_cast<std::uint32_t>(key >> 32) && c.written < request_.size()) {
        WriteMore(slot);
      }
    }
  }

  const Nanos finish = now;
  for (std::size_t slot = 0; slot < conns_.size(); ++slot) {
    if (conns_[slot].has_request) ++report_.unfinished;
    Close(static_cast<int>(slot));
  }
  report_.unfinished += pending_.size();
  pending_.clear();
  report_.elapsed_s = ToSeconds(finish - start_);
  if (mode_ == ReplayMode::kMaxRate)
    report_.elapsed_s = std::min(report_.elapsed_s, options_.duration_s);
  report_.achieved_rps =
      report_.elapsed_s > 0 ? static_cast<double>(report_.completed) / report_.elapsed_s : 0;
  const std::uint64_t decided = report_.scheduled - report_.unfinished;
  report_.sla_ok_ratio =
      decided > 0 ? static_cast<double>(report_.sla_ok) / static_cast<double>(decided) : 0;
  report_.first_byte_ms = Summarize(first_byte_);
  report_.response_ms = Summarize(response_);
  report_.schedule_lag_ms = Summarize(lag_);
  return report_;
}

}  // namespace

core::Result<ReplayReport> RunSchedule(const ReplayOptions& options, SendSchedule& schedule) {
  EpollReplayer replayer(options, ReplayMode::kSchedule);
  EBB_RETURN_IF_ERROR(replayer.Init());
  ReplayReport report = replayer.Run(&schedule);
  EBB_RETURN_IF_ERROR(schedule.status());
  return report;
}

core::Result<ReplayReport> RunMaxRate(const ReplayOptions& options) {
  EpollReplayer replayer(options, ReplayMode::kMaxRate);
  EBB_RETURN_IF_ERROR(replayer.Init());
  return replayer.Run(nullptr);
}

}  // namespace ebb::replay
