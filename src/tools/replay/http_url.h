// HttpUrl: the one target a replay may send to, parsed strictly from `http://HOST[:PORT][/PATH]`.
// HOST is a name ([A-Za-z0-9.-]), an IPv4 address or a bracketed IPv6 address; PORT is 1..65535
// (default 80); PATH is printable ASCII without spaces or '#' (default "/"), a query included.
// Any other scheme (https too), user info, a fragment or a stray character is InvalidArgument
// with a message that says what is wrong. Pure functions; no I/O except ResolveHttpUrl.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::replay {

struct HttpUrl {
  std::string host;  // without brackets for IPv6
  std::uint16_t port = 80;
  std::string path = "/";

  // The Host header value: host[:port], brackets around IPv6.
  std::string HostHeader() const;
  // http://host:port/path
  std::string ToString() const;
};

core::Result<HttpUrl> ParseHttpUrl(std::string_view text);

// The first address of the URL's host (numeric hosts are not looked up). Unavailable when the
// name does not resolve.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
};
core::Result<SocketAddress> ResolveHttpUrl(const HttpUrl& url);

}  // namespace ebb::replay
