#include "tools/top/status_fetcher.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <string>

#include <httplib.h>

namespace ebb::top {
namespace {

void SetTimeout(double seconds, const auto& setter) {
  const double bounded = std::clamp(seconds, 0.001, 3600.0);
  const auto whole = static_cast<time_t>(bounded);
  setter(whole, static_cast<time_t>(std::lround((bounded - static_cast<double>(whole)) * 1e6)));
}

// cpp-httplib reports only "Connection" when a connect fails; the operator needs the reason
// (refused, timed out, no route, unknown host), so one more connect, by hand, tells it.
std::string DiagnoseConnect(const DaemonUrl& url, double timeout_s) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return "cannot resolve host \"" + url.host + "\": " + ::gai_strerror(rc);
  }
  int error = 0;
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                          found->ai_protocol);
  if (fd < 0) {
    error = errno;
  } else {
    if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
      error = errno;
      if (error == EINPROGRESS) {
        pollfd pfd{.fd = fd, .events = POLLOUT, .revents = 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(std::clamp(timeout_s, 0.0, 60.0) * 1e3));
        if (ready == 0) {
          error = ETIMEDOUT;
        } else {
          socklen_t length = sizeof(error);
          if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        }
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  // The second attempt may succeed where the first failed (the daemon just started).
  return error == 0 ? "connection failed" : std::strerror(error);
}

std::string DescribeError(httplib::Error error) {
  switch (error) {
    case httplib::Error::Read:
      return "no complete answer (read failed or timed out)";
    case httplib::Error::Write:
      return "request could not be sent (connection closed)";
    case httplib::Error::ConnectionTimeout:
      return "Connection timed out";
    default:
      return "HTTP client error: " + httplib::to_string(error);
  }
}

}  // namespace

core::Result<nlohmann::json> FetchStatus(const DaemonUrl& url, const FetchTimeouts& timeouts) {
  httplib::Client client(url.host, url.port);
  SetTimeout(timeouts.connect_s,
             [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  SetTimeout(timeouts.read_s, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  SetTimeout(timeouts.read_s, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });
  client.set_keep_alive(false);

  const httplib::Result response = client.Get(url.StatusPath());
  const std::string where = "ebb at " + url.StatusUrl();
  if (!response) {
    const std::string why = response.error() == httplib::Error::Connection
                                ? DiagnoseConnect(url, timeouts.connect_s)
                                : DescribeError(response.error());
    return core::UnavailableError("cannot reach " + where + ": " + why);
  }
  if (response->status != 200) {
    return core::FailedPreconditionError(where + " answered HTTP " +
                                         std::to_string(response->status));
  }
  nlohmann::json document = nlohmann::json::parse(response->body, nullptr,
                                                  /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return core::InvalidArgumentError(where + ": the answer is not JSON (" +
                                      std::to_string(response->body.size()) + " bytes)");
  }
  return document;
}

}  // namespace ebb::top
