#include "tools/testserver/http_request_parser.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace ebb::testserver {
namespace {

ParseResult Error(int status, std::string why) {
  ParseResult result;
  result.state = ParseState::kError;
  result.error_status = status;
  result.error = std::move(why);
  return result;
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return Lower(x) == Lower(y); });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct ConnectionTokens {
  bool close = false;
  bool keep_alive = false;
};

// "Connection: keep-alive, Upgrade" -> the two tokens this server acts on.
void ReadConnectionTokens(std::string_view value, ConnectionTokens& tokens) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view token = Trim(value.substr(0, comma));
    if (EqualsIgnoreCase(token, "close")) tokens.close = true;
    if (EqualsIgnoreCase(token, "keep-alive")) tokens.keep_alive = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

std::string_view HttpRequest::Path() const {
  const std::string_view target_view = target;
  return target_view.substr(0, target_view.find('?'));
}

ParseResult ParseHttpRequest(std::string_view buffer, const HttpParserLimits& limits) {
  // RFC 9112 2.2: a server should ignore at least one empty line before the request line.
  std::size_t start = 0;
  while (start < buffer.size() && (buffer[start] == '\r' || buffer[start] == '\n')) ++start;
  if (start > 8) return Error(400, "too many empty lines before the request");
  const std::string_view rest = buffer.substr(start);
  const std::size_t head_end = rest.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (rest.size() > limits.max_head_bytes) return Error(431, "request head too large");
    return {};
  }
  if (head_end + 4 > limits.max_head_bytes) return Error(431, "request head too large");
  std::string_view head = rest.substr(0, head_end + 2);  // every line ends in CRLF

  ParseResult result;
  HttpRequest& request = result.request;
  // Request line: METHOD SP TARGET SP HTTP/1.x
  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  head.remove_prefix(line_end + 2);
  const std::size_t sp1 = line.find(' ');
  const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Error(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Error(400, "malformed method");
  if (target.empty() || target.find_first_of(" \t") != std::string_view::npos) {
    return Error(400, "malformed request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Error(400, "malformed HTTP version");
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    return Error(505, "only HTTP/1.0 and HTTP/1.1 are supported");
  }
  request.method = std::string(method);
  request.target = std::string(target);
  request.version_minor = version[7] - '0';

  ConnectionTokens connection;
  std::optional<std::size_t> content_length;
  while (!head.empty()) {
    const std::size_t end = head.find("\r\n");
    const std::string_view field = head.substr(0, end);
    head.remove_prefix(end + 2);
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || !IsToken(field.substr(0, colon))) {
      return Error(400, "malformed header field");
    }
    const std::string_view name = field.substr(0, colon);
    const std::string_view value = Trim(field.substr(colon + 1));
    if (EqualsIgnoreCase(name, "Content-Length")) {
      std::size_t length = 0;
      const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        return Error(400, "malformed Content-Length");
      }
      // Two different lengths are a request-smuggling pattern (RFC 9112 6.3).
      if (content_length && *content_length != length)
        return Error(400, "conflicting Content-Length");
      content_length = length;
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      return Error(501, "Transfer-Encoding is not supported; send Content-Length");
    } else if (EqualsIgnoreCase(name, "Connection")) {
      ReadConnectionTokens(value, connection);
    }
  }
  request.content_length = content_length.value_or(0);
  if (request.content_length > limits.max_body_bytes) return Error(413, "request body too large");
  request.keep_alive =
      request.version_minor == 1 ? !connection.close : connection.keep_alive && !connection.close;

  const std::size_t total = start + head_end + 4 + request.content_length;
  if (buffer.size() < total) return {};
  result.state = ParseState::kComplete;
  result.consumed = total;
  return result;
}

}  // namespace ebb::testserver
