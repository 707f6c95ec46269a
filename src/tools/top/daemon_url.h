// DaemonUrl: where `ebb top` finds a running daemon, parsed from what the user typed:
// `http://HOST[:PORT][/PREFIX]`, or `HOST[:PORT][/PREFIX]` without the scheme. HOST is a name
// ([A-Za-z0-9.-]), an IPv4 address or a bracketed IPv6 address. The port defaults to 80 with the
// scheme (as any URL) and to the daemon's own 9180 without it. The daemon serves /status and
// /metrics under PREFIX (a reverse proxy may mount it below a path); a URL that already ends in
// /status names the document itself. Only http: any other scheme, user info, a query, a fragment
// or a stray character is InvalidArgument with a message that says what is wrong. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::top {

inline constexpr std::string_view kDefaultDaemonUrl = "http://127.0.0.1:9180";
inline constexpr std::uint16_t kDefaultDaemonPort = 9180;

struct DaemonUrl {
  std::string host;  // without brackets for IPv6
  std::uint16_t port = kDefaultDaemonPort;
  std::string prefix;  // "" or "/a/b": no trailing slash

  std::string StatusPath() const { return prefix + "/status"; }
  // http://host:port (brackets around IPv6)
  std::string Origin() const;
  // http://host:port/prefix/status, as error messages name it
  std::string StatusUrl() const { return Origin() + StatusPath(); }
};

core::Result<DaemonUrl> ParseDaemonUrl(std::string_view text);

}  // namespace ebb::top
