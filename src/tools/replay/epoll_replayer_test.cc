// The engine against sockets the test owns: a closed port, a listener that never answers, one
// that hangs up at once, and a tiny HTTP responder thread. Every run is bounded by its schedule
// and a short timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tools/replay/replayer.h"

namespace ebb::replay {
namespace {

// A loopback TCP listener on a free port; closed by the destructor.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), length), 0);
    EXPECT_EQ(::listen(fd_, 128), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

enum class Behavior { kAnswer, kHangUp };

// Serves on a Listener from a thread: answers every request with `status` after `delay`, or
// closes each connection as soon as it is accepted.
class Responder {
 public:
  Responder(Behavior behavior, int status = 200, std::chrono::milliseconds delay = {})
      : behavior_(behavior), status_(status), delay_(delay) {
    EXPECT_EQ(::pipe(wake_), 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Responder() {
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    ::close(wake_[0]);
    ::close(wake_[1]);
  }
  int port() const { return listener_.port(); }
  int accepted() const { return accepted_.load(); }

 private:
  void Serve() {
    std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listener_.fd(), POLLIN, 0}};
    std::vector<std::string> buffers(2);
    const std::string body = "hello";
    const std::string response = "HTTP/1.1 " + std::to_string(status_) +
                                 " X\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n" + body;
    for (;;) {
      if (::poll(fds.data(), fds.size(), 1000) < 0) continue;
      if (fds[0].revents != 0) break;
      if (fds[1].revents != 0) {
        const int client = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          ++accepted_;
          if (behavior_ == Behavior::kHangUp) {
            ::close(client);
          } else {
            fds.push_back({client, POLLIN, 0});
            buffers.emplace_back();
          }
        }
      }
      for (std::size_t i = 2; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        char chunk[4096];
        const ssize_t n = ::read(fds[i].fd, chunk, sizeof chunk);
        if (n <= 0) {
          ::close(fds[i].fd);
          fds.erase(fds.begin() + static_cast<std::ptrdiff_t>(i));
          buffers.erase(buffers.begin() + static_cast<std::ptrdiff_t>(i));
          --i;
          continue;
        }
        buffers[i].append(chunk, static_cast<std::size_t>(n));
        std::size_t end;
        while ((end = buffers[i].find("\r\n\r\n")) != std::string::npos) {
          buffers[i].erase(0, end + 4);
          std::this_thread::sleep_for(delay_);
          (void)!::write(fds[i].fd, response.data(), response.size());
        }
      }
    }
    for (std::size_t i = 2; i < fds.size(); ++i) ::close(fds[i].fd);
  }

  Listener listener_;
  Behavior behavior_;
  int status_;
  std::chrono::milliseconds delay_;
  int wake_[2] = {-1, -1};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

ReplayOptions Options(int port) {
  ReplayOptions options;
  options.target = {.host = "127.0.0.1", .port = static_cast<std::uint16_t>(port), .path = "/"};
  options.timeout_s = 0.3;
  options.connections = 4;
  return options;
}

std::vector<double> Evenly(int count, double every) {
  std::vector<double> times;
  for (int i = 0; i < count; ++i) times.push_back(i * every);
  return times;
}

TEST(EpollReplayerTest, AnswersAreCompletedOnTimeOverFewConnections) {
  Responder server(Behavior::kAnswer);
  ListSchedule schedule(Evenly(100, 0.005));
  auto report = RunSchedule(Options(server.port()), schedule);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->scheduled, 100u);
  EXPECT_EQ(report->sent, 100u);
  EXPECT_EQ(report->completed, 100u);
  EXPECT_EQ(report->errors.total(), 0u);
  EXPECT_EQ(report->unfinished, 0u);
  EXPECT_EQ(report->status_2xx, 100u);
  EXPECT_DOUBLE_EQ(report->sla_ok_ratio, 1.0);
  EXPECT_LE(report->connections_opened, 4u);  // keep-alive: reused, not reopened
  EXPECT_LT(report->schedule_lag_ms.p50_ms, 5);
  EXPECT_GT(report->response_ms.max_ms, 0);
  EXPECT_GE(report->elapsed_s, 0.49);
}

TEST(EpollReplayerTest, WaitForAFreeConnectionCountsAsLag) {
  Responder server(Behavior::kAnswer, 200, std::chrono::milliseconds(50));
  ReplayOptions options = Options(server.port());
  options.connections = 1;
  options.timeout_s = 2;
  ListSchedule schedule({0, 0, 0});
  auto report = RunSchedule(options, schedule);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->completed, 3u);
  EXPECT_EQ(report->connections_opened, 1u);
  EXPECT_GE(report->schedule_lag_ms.max_ms, 95);  // the third waited for two answers
  EXPECT_LT(report->schedule_lag_ms.max_ms, 500);
}

TEST(EpollReplayerTest, StatusErrorsAreCompletedButMissTheSla) {
  Responder server(Behavior::kAnswer, 503);
  ListSchedule schedule(Evenly(10, 0.001));
  auto report = RunSchedule(Options(server.port()), schedule);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->completed, 10u);
  EXPECT_EQ(report->errors.status, 10u);
  EXPECT_EQ(report->status_5xx, 10u);
  EXPECT_DOUBLE_EQ(report->sla_ok_ratio, 0.0);
}

TEST(EpollReplayerTest, ClosedPortCountsConnectErrors) {
  int port;
  {
    Listener closed;
    port = closed.port();
  }
  ListSchedule schedule(Evenly(20, 0.001));
  auto report = RunSchedule(Options(port), schedule);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->scheduled, 20u);
  EXPECT_EQ(report->errors.connect, 20u);
  EXPECT_EQ(report->completed, 0u);
  EXPECT_EQ(report->sent, 0u);
  EXPECT_DOUBLE_EQ(report->sla_ok_ratio, 0.0);
}

TEST(EpollReplayerTest, SilentListenerCountsTimeouts) {
  Listener silent;  // the kernel accepts; nobody ever reads or answers
  ListSchedule schedule(Evenly(6, 0.01));
  ReplayOptions options = Options(silent.port());
  options.connections = 3;  // three wait in the queue and time out there
  const auto begin = std::chrono::steady_clock::now();
  auto report = RunSchedule(options, schedule);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->errors.timeout, 6u);
  // The queued three go out on new connections when the first three time out.
  EXPECT_GE(report->sent, 3u);
  EXPECT_LE(report->sent, 6u);
  EXPECT_EQ(report->completed, 0u);
  EXPECT_EQ(report->unfinished, 0u);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
}

TEST(EpollReplayerTest, HangUpCountsResets) {
  Responder server(Behavior::kHangUp);
  ListSchedule schedule(Evenly(10, 0.01));
  auto report = RunSchedule(Options(server.port()), schedule);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->errors.reset + report->errors.connect, 10u);
  EXPECT_GE(report->errors.reset, 1u);
  EXPECT_EQ(report->completed, 0u);
}

TEST(EpollReplayerTest, MaxRateRunsForItsDuration) {
  Responder server(Behavior::kAnswer);
  ReplayOptions options = Options(server.port());
  options.duration_s = 0.3;
  const auto begin = std::chrono::steady_clock::now();
  auto report = RunMaxRate(options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  EXPECT_GT(report->completed, 50u);
  EXPECT_EQ(report->errors.total(), 0u);
  EXPECT_LE(report->unfinished, 4u);
  EXPECT_EQ(report->scheduled, report->completed + report->unfinished);
  EXPECT_NEAR(report->achieved_rps, static_cast<double>(report->completed) / 0.3, 1e-6);
  EXPECT_EQ(server.accepted(), 4);
}

TEST(EpollReplayerTest, StopFlagEndsTheRunWithAReport) {
  Responder server(Behavior::kAnswer);
  std::atomic<bool> stop{false};
  ReplayOptions options = Options(server.port());
  options.stop = &stop;
  std::thread stopper([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  ListSchedule schedule(Evenly(1000, 0.01));  // 10 s if not stopped
  const auto begin = std::chrono::steady_clock::now();
  auto report = RunSchedule(options, schedule);
  stopper.join();
  ASSERT_TRUE(report.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
  EXPECT_TRUE(report->interrupted);
  EXPECT_GT(report->completed, 5u);
  EXPECT_LT(report->scheduled, 100u);
}

TEST(EpollReplayerTest, BadOptionsAreErrors) {
  ListSchedule schedule({0});
  ReplayOptions options = Options(80);
  options.connections = 0;
  EXPECT_FALSE(RunSchedule(options, schedule).ok());
  options = Options(80);
  options.timeout_s = 0;
  EXPECT_FALSE(RunSchedule(options, schedule).ok());
  options = Options(80);
  EXPECT_FALSE(RunMaxRate(options).ok());  // no duration
}

}  // namespace
}  // namespace ebb::replay
