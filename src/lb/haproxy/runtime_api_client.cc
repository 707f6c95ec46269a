#include "lb/haproxy/runtime_api_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

namespace ebb::lb::haproxy {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kFirstBufferBytes = std::size_t{64} << 10;
// Below this much free space the buffer doubles before the next read, so reads stay large.
constexpr std::size_t kMinReadBytes = std::size_t{16} << 10;

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int MillisecondsUntil(SteadyClock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return static_cast<int>(std::clamp<long long>(left, 0, 1'000'000'000));
}

// 0 when the descriptor is ready, ETIMEDOUT at the deadline, or the poll errno.
int WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  for (;;) {
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int ready = ::poll(&p, 1, MillisecondsUntil(deadline));
    if (ready > 0) return 0;
    if (ready == 0) return ETIMEDOUT;
    if (errno != EINTR) return errno;
  }
}

bool ParsePort(std::string_view text, std::uint16_t& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return false;
  }
  port = static_cast<std::uint16_t>(value);
  return true;
}

// "[v6]:port" or "a.b.c.d:port"; false when `address` is not a numeric TCP address.
bool ParseTcpAddress(const std::string& address, sockaddr_storage& out, socklen_t& length) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  std::uint16_t port = 0;
  if (!ParsePort(std::string_view(address).substr(colon + 1), port)) return false;
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) != 1) return false;
    std::memcpy(&out, &v6, sizeof(v6));
    length = sizeof(v6);
    return true;
  }
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(port);
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) != 1) return false;
  std::memcpy(&out, &v4, sizeof(v4));
  length = sizeof(v4);
  return true;
}

}  // namespace

core::Result<RuntimeApiClient> RuntimeApiClient::Create(std::string address,
                                                        RuntimeApiOptions options) {
  if (address.empty()) return core::InvalidArgumentError("HAProxy runtime API address is empty");
  RuntimeApiClient client(address, options);
  if (ParseTcpAddress(address, client.endpoint_, client.endpoint_length_)) return client;
  // A path: anything that is not a numeric host:port. A host name with a port, or a numeric
  // host with a bad port, is refused rather than taken for a relative path.
  const std::size_t colon = address.rfind(':');
  if (colon != std::string::npos) {
    std::uint16_t ignored_port = 0;
    in_addr ignored_host{};
    if (address.front() == '[' ||
        ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &ignored_host) == 1) {
      return core::InvalidArgumentError("HAProxy runtime API address '" + address +
                                        "': bad IP address or port (1-65535)");
    }
    if (ParsePort(std::string_view(address).substr(colon + 1), ignored_port)) {
      return core::InvalidArgumentError("HAProxy runtime API address '" + address +
                                        "': the host must be a numeric IPv4 or [IPv6] address");
    }
  }
  sockaddr_un unix_address{};
  unix_address.sun_family = AF_UNIX;
  if (address.size() >= sizeof(unix_address.sun_path)) {
    return core::InvalidArgumentError("HAProxy runtime API socket path '" + address +
                                      "' is longer than " +
                                      std::to_string(sizeof(unix_address.sun_path) - 1) + " bytes");
  }
  std::memcpy(unix_address.sun_path, address.data(), address.size());
  std::memcpy(&client.endpoint_, &unix_address, sizeof(unix_address));
  client.endpoint_length_ = sizeof(unix_address);
  return client;
}

core::Status RuntimeApiClient::Unavailable(std::string_view command, std::string_view what) const {
  return core::UnavailableError("HAProxy runtime API at " + address_ + ": '" +
                                std::string(command) + "': " + std::string(what));
}

core::Result<std::string_view> RuntimeApiClient::Execute(std::string_view command) {
  if (command.find('\n') != std::string_view::npos) {
    return core::InvalidArgumentError("HAProxy runtime API command contains a newline: '" +
                                      std::string(command) + "'");
  }
  const int family = endpoint_.ss_family;
  FileDescriptor fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return Unavailable(command, std::string("socket: ") + std::strerror(errno));

  const SteadyClock::time_point connect_deadline = SteadyClock::now() + options_.connect_timeout;
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&endpoint_), endpoint_length_) != 0) {
    if (errno != EINPROGRESS && errno != EINTR) {
      return Unavailable(command, std::string("connect: ") + std::strerror(errno));
    }
    const int waited = WaitFor(fd.get(), POLLOUT, connect_deadline);
    if (waited == ETIMEDOUT) {
      return Unavailable(command, "connect timed out after " +
                                      std::to_string(options_.connect_timeout.count()) + " ms");
    }
    int error = waited;
    socklen_t error_length = sizeof(error);
    if (error == 0 && ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &error_length) != 0) {
      error = errno;
    }
    if (error != 0) return Unavailable(command, std::string("connect: ") + std::strerror(error));
  }

  const SteadyClock::time_point read_deadline = SteadyClock::now() + options_.read_timeout;
  const std::string line = std::string(command) + "\n";
  std::size_t sent = 0;
  while (sent < line.size()) {
    const ssize_t n = ::send(fd.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (WaitFor(fd.get(), POLLOUT, read_deadline) != 0) {
        return Unavailable(command, "timed out sending the command");
      }
      continue;
    }
    return Unavailable(command, std::string("send: ") + std::strerror(errno));
  }

  std::size_t used = 0;
  for (;;) {
    // One byte beyond the bound, so that an oversized reply is seen rather than cut; at that
    // size `used` <= max_reply_bytes leaves at least one byte free.
    const std::size_t cap = options_.max_reply_bytes + 1;
    if (buffer_.size() - used < kMinReadBytes && buffer_.size() < cap) {
      buffer_.resize(std::min(cap, std::max(kFirstBufferBytes, buffer_.size() * 2)));
    }
    const ssize_t n = ::read(fd.get(), buffer_.data() + used, buffer_.size() - used);
    if (n > 0) {
      used += static_cast<std::size_t>(n);
      if (used > options_.max_reply_bytes) {
        return core::FailedPreconditionError("HAProxy runtime API at " + address_ + ": '" +
                                             std::string(command) + "': reply larger than " +
                                             std::to_string(options_.max_reply_bytes) + " bytes");
      }
      continue;
    }
    if (n == 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const int waited = WaitFor(fd.get(), POLLIN, read_deadline);
      if (waited == ETIMEDOUT) {
        return Unavailable(command, "no complete reply within " +
                                        std::to_string(options_.read_timeout.count()) + " ms (" +
                                        std::to_string(used) + " bytes received)");
      }
      if (waited != 0) return Unavailable(command, std::string("poll: ") + std::strerror(waited));
      continue;
    }
    return Unavailable(command, std::string("read: ") + std::strerror(errno));
  }
  return std::string_view(buffer_.data(), used);
}

}  // namespace ebb::lb::haproxy
