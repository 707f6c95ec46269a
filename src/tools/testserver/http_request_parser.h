// HttpRequestParser: reads one HTTP/1.1 request (request line, headers, Content-Length body) from
// the front of a connection's input buffer. It is stateless: the caller keeps the bytes and asks
// again when more arrive, so pipelined requests are taken one at a time, in order. Pure code,
// no I/O, any thread. Malformed input is not an error of the program: it comes back as an HTTP
// status (400, 413, 431, 501, 505) for the server to answer before closing the connection.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ebb::testserver {

struct HttpRequest {
  std::string method;              // "GET", as sent
  std::string target;              // "/health?x=1", as sent
  int version_minor = 1;           // HTTP/1.<minor>
  bool keep_alive = true;          // HTTP/1.1 unless "Connection: close"; 1.0 only if asked
  std::size_t content_length = 0;  // body bytes, already consumed and ignored

  bool IsHead() const { return method == "HEAD"; }
  // The target without its query string: "/health".
  std::string_view Path() const;
};

struct HttpParserLimits {
  std::size_t max_head_bytes = 16 * 1024;  // request line + headers; more -> 431
  std::size_t max_body_bytes = 1 << 20;    // Content-Length above this -> 413
};

enum class ParseState { kNeedMore, kComplete, kError };

struct ParseResult {
  ParseState state = ParseState::kNeedMore;
  HttpRequest request;       // kComplete
  std::size_t consumed = 0;  // kComplete: bytes of this request (leading blank lines included)
  int error_status = 0;      // kError: the status to answer, then close
  std::string error;         // kError: why, for the response body and the log
};

ParseResult ParseHttpRequest(std::string_view buffer, const HttpParserLimits& limits = {});

}  // namespace ebb::testserver
