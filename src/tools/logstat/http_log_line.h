// HttpLogLine: one HAProxy `option httplog` line, parsed in place. Every string_view points into
// the caller's line, so parsing allocates nothing; the views live as long as the line's buffer.
//
// Accepted shapes (the payload is found by its accept date, so any syslog header works: BSD
// `Mon DD HH:MM:SS host tag[pid]: `, RFC 3339 `2021-12-15T16:55:18+01:00 host tag: `, or none):
//   client_ip:port [dd/Mon/yyyy:HH:MM:SS.mmm] frontend backend/server T1/Tw/Tc/Tr/T5 status
//   bytes_read req_cookie res_cookie term_state actconn/feconn/beconn/srv_conn/retries
//   srv_queue/backend_queue [{captured request headers}] [{captured response headers}] "request"
// - T1/Tw/Tc/Tr/T5 is HAProxy 1.4's Tq/Tw/Tc/Tr/Tt and 1.5+'s TR/Tw/Tc/Tr/Ta: same positions,
//   so one field set serves both. Tr is the server's response time (service time), T5 the total
//   (response) time. A timer of -1 means the phase was not reached; a `+` before T5 or bytes_read
//   marks `option logasap` (the value is a lower bound).
// - Clients are IPv4, IPv6 (`2001:db8::1:51234`, the port after the last ':'), `-` or `unix`.
// - One extra token between backend/server and the timers is tolerated (a custom log-format with
//   the host there, as in filebeat's fixture); anything after the request is ignored (TLS fields).
// - A request line without its closing quote is accepted (HAProxy truncates long log lines).
// - The status may be -1 (no response was sent).
//
// A line that has no accept date is kOther when it carries a syslog header (HAProxy's own
// messages: `Connect from ...` TCP-mode lines, `Server x is DOWN`, ...) or is blank, and kInvalid
// otherwise; a line with an accept date that fails to parse is kInvalid.
#pragma once

#include <cstdint>
#include <string_view>

namespace ebb::logstat {

enum class LineKind { kHttp, kOther, kInvalid };

struct HttpLogLine {
  std::string_view client_ip;
  std::int32_t client_port = 0;
  std::string_view accept_date;     // "09/Dec/2013:12:59:46.633"
  std::int64_t accept_unix_ms = 0;  // the accept date read as UTC
  std::string_view frontend;
  std::string_view backend;
  std::string_view server;
  std::string_view backend_server;  // "backend/server", the key for per-server totals
  // Timers in ms, -1 when the phase was not reached.
  std::int64_t tq = -1;  // Tq (1.4) / TR (1.5+)
  std::int64_t tw = -1;
  std::int64_t tc = -1;
  std::int64_t tr = -1;  // service time
  std::int64_t tt = -1;  // Tt (1.4) / Ta (1.5+): response time
  bool tt_logasap = false;
  std::int32_t status = 0;  // -1 when no response was sent
  std::int64_t bytes_read = 0;
  std::string_view request_cookie;
  std::string_view response_cookie;
  std::string_view termination_state;  // 4 characters, e.g. "----", "CD--"
  std::int32_t actconn = 0;
  std::int32_t feconn = 0;
  std::int32_t beconn = 0;
  std::int32_t srv_conn = 0;
  std::int32_t retries = 0;
  bool redispatched = false;  // `+` before retries
  std::int32_t srv_queue = 0;
  std::int32_t backend_queue = 0;
  std::string_view captured_request_headers;   // without braces; empty when absent
  std::string_view captured_response_headers;  // without braces; empty when absent
  std::string_view http_request;               // without quotes: "GET /path HTTP/1.1"
};

struct ParseResult {
  LineKind kind = LineKind::kInvalid;
  // For kInvalid: the field that failed ("accept_date", "timers", ...). Static storage.
  std::string_view error_field;
};

// Parses `line` (without its '\n'; a trailing '\r' is ignored) into `out`. `out` is only
// meaningful when the result is kHttp.
ParseResult ParseHttpLogLine(std::string_view line, HttpLogLine& out);

// "dd/Mon/yyyy:HH:MM:SS[.mmm]" read as UTC -> Unix ms; false when malformed.
bool ParseAcceptDate(std::string_view date, std::int64_t& unix_ms);

// "GET /path HTTP/1.1" -> method, path, protocol (empty parts when missing).
struct HttpRequestParts {
  std::string_view method;
  std::string_view path;
  std::string_view protocol;
};
HttpRequestParts SplitHttpRequest(std::string_view request);

}  // namespace ebb::logstat
