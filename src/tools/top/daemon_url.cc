#include "tools/top/daemon_url.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace ebb::top {
namespace {

constexpr std::size_t kMaxUrlLength = 2048;

core::Status UrlError(std::string_view text, std::string_view what) {
  return core::InvalidArgumentError("bad daemon URL \"" + std::string(text) + "\": " +
                                    std::string(what) + " (expected http://HOST:PORT[/PREFIX])");
}

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

bool IsPathChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         std::string_view("/-._~%!$&'()*+,;=:@").find(c) != std::string_view::npos;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::string DaemonUrl::Origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

core::Result<DaemonUrl> ParseDaemonUrl(std::string_view text) {
  if (text.empty()) return UrlError(text, "empty");
  if (text.size() > kMaxUrlLength) return UrlError(text.substr(0, 64), "longer than 2048 bytes");
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return UrlError(text, "spaces, control and non-ASCII characters are not allowed");
    }
  }
  DaemonUrl url;
  std::string_view rest = text;
  const std::size_t scheme_end = text.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string scheme = Lower(text.substr(0, scheme_end));
    if (scheme != "http") {
      return UrlError(text, "scheme \"" + scheme + "\" is not supported, only http");
    }
    url.port = 80;
    rest = text.substr(scheme_end + 3);
  }
  if (rest.find('#') != std::string_view::npos) return UrlError(text, "a fragment is not allowed");
  if (rest.find('?') != std::string_view::npos) return UrlError(text, "a query is not allowed");

  const std::size_t authority_end = rest.find('/');
  const std::string_view authority = rest.substr(0, authority_end);
  std::string_view path =
      authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return UrlError(text, "user information (user@) is not allowed");
  }

  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return UrlError(text, "unterminated [IPv6] host");
    const std::string_view host = authority.substr(1, close - 1);
    if (host.empty() || !std::all_of(host.begin(), host.end(), IsIpv6Char)) {
      return UrlError(text, "bad IPv6 host \"" + std::string(host) + "\"");
    }
    url.host = std::string(host);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return UrlError(text, "unexpected characters after ]");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    const std::string_view host = authority.substr(0, colon);
    if (host.empty()) return UrlError(text, "no host");
    if (!std::all_of(host.begin(), host.end(), IsNameChar)) {
      return UrlError(text,
                      "host \"" + std::string(host) + "\" has characters outside [A-Za-z0-9.-]");
    }
    url.host = std::string(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (has_port) {
    unsigned port = 0;
    const char* end = port_text.data() + port_text.size();
    const auto [parsed_end, ec] = std::from_chars(port_text.data(), end, port);
    if (port_text.empty() || port_text.size() > 5 || ec != std::errc() || parsed_end != end ||
        port == 0 || port > 65535) {
      return UrlError(text, "port \"" + std::string(port_text) + "\" is not a number in 1..65535");
    }
    url.port = static_cast<std::uint16_t>(port);
  }

  if (!std::all_of(path.begin(), path.end(), IsPathChar)) {
    return UrlError(text, "path \"" + std::string(path) + "\" has characters a URL path cannot");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find("//") != std::string_view::npos) return UrlError(text, "empty path segment (//)");
  // A pasted document URL: the prefix is what comes before it.
  constexpr std::string_view kStatus = "/status";
  if (path.size() >= kStatus.size() && path.substr(path.size() - kStatus.size()) == kStatus) {
    path.remove_suffix(kStatus.size());
  }
  url.prefix = std::string(path);
  return url;
}

}  // namespace ebb::top
