#include "tools/testserver/blocking_http_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace ebb::testserver {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

core::Status Errno(std::string_view what) {
  return core::UnavailableError(fmt::format("{}: {}", what, std::strerror(errno)));
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string HttpResponse::Header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string GetRequest(std::string_view target, std::string_view extra_headers) {
  return fmt::format("GET {} HTTP/1.1\r\nHost: ebb-test\r\n{}\r\n", target, extra_headers);
}

core::Result<BlockingHttpClient> BlockingHttpClient::Connect(const std::string& address,
                                                             std::uint16_t port,
                                                             std::chrono::milliseconds timeout) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
  } else {
    return core::InvalidArgumentError(fmt::format("\"{}\" is not an IP address", address));
  }
  const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Errno("socket");
  BlockingHttpClient client(fd);
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    if (errno != EINPROGRESS) return Errno(fmt::format("connect {}:{}", address, port));
    pollfd p{.fd = fd, .events = POLLOUT, .revents = 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready == 0) {
      return core::Status(core::StatusCode::kDeadlineExceeded,
                          fmt::format("connect {}:{}: timed out", address, port));
    }
    int error = 0;
    socklen_t error_length = sizeof(error);
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &error_length);
    if (ready < 0 || error != 0) {
      errno = ready < 0 ? errno : error;
      return Errno(fmt::format("connect {}:{}", address, port));
    }
  }
  return client;
}

BlockingHttpClient::BlockingHttpClient(BlockingHttpClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

BlockingHttpClient& BlockingHttpClient::operator=(BlockingHttpClient&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = std::exchange(other.fd_, -1);
    buffer_ = std::move(other.buffer_);
  }
  return *this;
}

BlockingHttpClient::~BlockingHttpClient() { Close(); }

void BlockingHttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

core::Status BlockingHttpClient::Send(std::string_view bytes) {
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Errno("send");
    pollfd p{.fd = fd_, .events = POLLOUT, .revents = 0};
    if (::poll(&p, 1, MillisLeft(deadline)) == 0) {
      return core::Status(core::StatusCode::kDeadlineExceeded, "send: timed out");
    }
  }
  return core::Status::Ok();
}

core::Status BlockingHttpClient::Fill(Clock::time_point deadline) {
  while (true) {
    char chunk[8192];
    const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return core::Status::Ok();
    }
    if (n == 0) return core::UnavailableError("connection closed by the server");
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return Errno("recv");
    pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, MillisLeft(deadline)) == 0) {
      return core::Status(core::StatusCode::kDeadlineExceeded, "no response in time");
    }
  }
}

core::Result<HttpResponse> BlockingHttpClient::Read(std::chrono::milliseconds timeout,
                                                    bool head_request) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    EBB_RETURN_IF_ERROR(Fill(deadline));
  }
  HttpResponse response;
  std::string_view head(buffer_.data(), head_end + 2);
  const std::size_t line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  head.remove_prefix(line_end + 2);
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.")) {
    return core::InvalidArgumentError(fmt::format("bad status line \"{}\"", status_line));
  }
  const std::string_view code = status_line.substr(9, 3);
  std::from_chars(code.data(), code.data() + code.size(), response.status);
  while (!head.empty()) {
    const std::size_t end = head.find("\r\n");
    const std::string_view field = head.substr(0, end);
    head.remove_prefix(end + 2);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers[Lower(field.substr(0, colon))] = std::string(value);
  }
  std::size_t length = 0;
  const std::string content_length = response.Header("content-length");
  std::from_chars(content_length.data(), content_length.data() + content_length.size(), length);
  if (head_request) length = 0;
  while (buffer_.size() < head_end + 4 + length) EBB_RETURN_IF_ERROR(Fill(deadline));
  response.body = buffer_.substr(head_end + 4, length);
  buffer_.erase(0, head_end + 4 + length);
  return response;
}

core::Result<HttpResponse> BlockingHttpClient::Get(std::string_view target,
                                                   std::chrono::milliseconds timeout) {
  EBB_RETURN_IF_ERROR(Send(GetRequest(target)));
  return Read(timeout);
}

bool BlockingHttpClient::WaitForClose(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (buffer_.empty()) {
    const core::Status filled = Fill(deadline);
    if (filled.code() == core::StatusCode::kDeadlineExceeded) return false;
    if (!filled.ok()) return true;
  }
  return false;
}

}  // namespace ebb::testserver
