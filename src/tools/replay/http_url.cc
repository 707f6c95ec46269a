#include "tools/replay/http_url.h"

#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace ebb::replay {
namespace {

constexpr std::size_t kMaxUrlLength = 4096;

core::Status UrlError(std::string_view text, std::string_view what) {
  return core::InvalidArgumentError("bad URL \"" + std::string(text) + "\": " + std::string(what) +
                                    " (expected http://HOST:PORT/PATH)");
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

std::string HttpUrl::HostHeader() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string out = ipv6 ? "[" + host + "]" : host;
  if (port != 80) out += ":" + std::to_string(port);
  return out;
}

std::string HttpUrl::ToString() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
}

core::Result<HttpUrl> ParseHttpUrl(std::string_view text) {
  if (text.empty()) return UrlError(text, "empty");
  if (text.size() > kMaxUrlLength) return UrlError(text.substr(0, 64), "longer than 4096 bytes");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return UrlError(text, "spaces, control and non-ASCII characters are not allowed");
    }
  }
  const std::size_t colon = text.find("://");
  if (colon == std::string_view::npos) return UrlError(text, "no scheme");
  if (!StartsWithNoCase(text, "http://")) {
    return UrlError(
        text, "scheme \"" + std::string(text.substr(0, colon)) + "\" is not supported, only http");
  }
  std::string_view rest = text.substr(7);
  if (rest.find('#') != std::string_view::npos)
    return UrlError(text, "a fragment (#) is not allowed");
  const std::size_t authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return UrlError(text, "user information (user@) is not allowed");
  }

  HttpUrl url;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError(text, "unterminated [IPv6] host");
    const std::string_view host = authority.substr(1, close - 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
      return UrlError(text, "bad IPv6 host");
    }
    url.host = std::string(host);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError(text, "unexpected characters after ]");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t port_colon = authority.find(':');
    const std::string_view host = authority.substr(0, port_colon);
    if (host.empty()) return UrlError(text, "no host");
    if (!std::all_of(host.begin(), host.end(), IsNameChar)) {
      return UrlError(text,
                      "host \"" + std::string(host) + "\" has characters outside [A-Za-z0-9.-]");
    }
    url.host = std::string(host);
    if (port_colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(port_colon + 1);
    }
  }
  if (has_port) {
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc() ||
        end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return UrlError(text, "port \"" + std::string(port_text) + "\" is not a number in 1..65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  if (path.empty()) {
    url.path = "/";
  } else if (path.front() == '?') {
    url.path = "/" + std::string(path);
  } else {
    url.path = std::string(path);
  }
  return url;
}

core::Result<SocketAddress> ResolveHttpUrl(const HttpUrl& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    return core::UnavailableError("cannot resolve host \"" + url.host + "\": " + gai_strerror(rc));
  }
  SocketAddress address;
  std::memcpy(&address.storage, found->ai_addr, found->ai_addrlen);
  address.length = found->ai_addrlen;
  ::freeaddrinfo(found);
  return address;
}

}  // namespace ebb::replay
