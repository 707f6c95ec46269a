// RuntimeApiClient: one HAProxy Runtime API endpoint (a `stats socket`), used in non-interactive
// mode: every Execute() connects, writes "command\n", and reads the reply until HAProxy closes
// the connection. HAProxy closes after each command in this mode, so there is no session to keep
// or to repair: a reload or a restart between two commands is invisible here.
//
// The address is a UNIX socket path ("/run/haproxy/admin.sock") or a numeric TCP address
// ("127.0.0.1:9999", "[::1]:9999"); host names are refused so that no DNS lookup ever blocks the
// caller. Sockets are non-blocking and waited on with poll(), bounded by the connect timeout and
// by the read timeout (from the command's first byte to the reply's last).
//
// Errors: every failure to reach HAProxy or to receive the whole reply (refused, missing socket
// file, timeout, reset) is Unavailable and names the address; a reply above max_reply_bytes is
// FailedPrecondition. The reply text is not interpreted here (see runtime_api_errors.h).
// Not thread-safe: one owner, the event loop's thread.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::lb::haproxy {

struct RuntimeApiOptions {
  std::chrono::milliseconds connect_timeout{2000};
  // The whole reply must have arrived within this time after the command was sent.
  std::chrono::milliseconds read_timeout{5000};
  std::size_t max_reply_bytes = std::size_t{64} << 20;
};

class RuntimeApiClient {
 public:
  // InvalidArgument when `address` is neither a UNIX socket path nor a numeric host:port.
  static core::Result<RuntimeApiClient> Create(std::string address, RuntimeApiOptions options = {});

  // Sends `command` (one line, without its '\n') and returns HAProxy's whole reply. The view
  // points into a buffer the client reuses: it is valid until the next Execute().
  core::Result<std::string_view> Execute(std::string_view command);

  const std::string& address() const { return address_; }
  const RuntimeApiOptions& options() const { return options_; }

 private:
  RuntimeApiClient(std::string address, RuntimeApiOptions options)
      : address_(std::move(address)), options_(options) {}

  core::Status Unavailable(std::string_view command, std::string_view what) const;

  std::string address_;
  RuntimeApiOptions options_;
  sockaddr_storage endpoint_{};
  socklen_t endpoint_length_ = 0;
  // Grows to the largest reply seen and is never shrunk or cleared: a 1,000-server `show stat`
  // then costs no allocation and no zero-filling per poll.
  std::string buffer_;
};

}  // namespace ebb::lb::haproxy
