#include "tools/logstat/http_log_line.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>

namespace ebb::logstat {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Parses all of `text` as a decimal integer (a leading '-' allowed).
template <typename Int>
bool ParseInt(std::string_view text, Int& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end;
}

// Parses a timer or counter: digits, or -1. `plus` reports (and strips) a leading '+'.
bool ParseCounter(std::string_view text, std::int64_t& value, bool& plus) {
  plus = !text.empty() && text.front() == '+';
  if (plus) text.remove_prefix(1);
  return ParseInt(text, value) && value >= -1;
}

// Splits `token` at '/' into exactly `n` counters (digits or -1, optional '+').
// `plus_mask` gets bit i when field i had a leading '+'.
bool ParseSlashed(std::string_view token, std::int64_t* values, int n, unsigned& plus_mask) {
  plus_mask = 0;
  for (int i = 0; i < n; ++i) {
    const std::size_t slash = i + 1 < n ? token.find('/') : token.size();
    if (slash == std::string_view::npos) return false;
    bool plus = false;
    if (!ParseCounter(token.substr(0, slash), values[i], plus)) return false;
    if (plus) plus_mask |= 1u << i;
    token.remove_prefix(i + 1 < n ? slash + 1 : slash);
  }
  return true;
}

// A cursor over space-separated tokens.
class Tokens {
 public:
  Tokens(const char* p, const char* end) : p_(p), end_(end) {}
  std::string_view Next() {
    while (p_ < end_ && *p_ == ' ') ++p_;
    const char* start = p_;
    const void* space = std::memchr(p_, ' ', static_cast<std::size_t>(end_ - p_));
    p_ = space != nullptr ? static_cast<const char*>(space) : end_;
    return {start, static_cast<std::size_t>(p_ - start)};
  }
  void SkipSpaces() {
    while (p_ < end_ && *p_ == ' ') ++p_;
  }
  const char* pos() const { return p_; }
  const char* end() const { return end_; }
  void set_pos(const char* p) { p_ = p; }

 private:
  const char* p_;
  const char* end_;
};

int MonthIndex(const char* m) {
  // Jan..Dec -> 1..12, 0 when unknown.
  switch (m[0]) {
    case 'J':
      if (m[1] == 'a' && m[2] == 'n') return 1;
      if (m[1] == 'u' && m[2] == 'n') return 6;
      if (m[1] == 'u' && m[2] == 'l') return 7;
      return 0;
    case 'F':
      return m[1] == 'e' && m[2] == 'b' ? 2 : 0;
    case 'M':
      if (m[1] == 'a' && m[2] == 'r') return 3;
      if (m[1] == 'a' && m[2] == 'y') return 5;
      return 0;
    case 'A':
      if (m[1] == 'p' && m[2] == 'r') return 4;
      if (m[1] == 'u' && m[2] == 'g') return 8;
      return 0;
    case 'S':
      return m[1] == 'e' && m[2] == 'p' ? 9 : 0;
    case 'O':
      return m[1] == 'c' && m[2] == 't' ? 10 : 0;
    case 'N':
      return m[1] == 'o' && m[2] == 'v' ? 11 : 0;
    case 'D':
      return m[1] == 'e' && m[2] == 'c' ? 12 : 0;
    default:
      return 0;
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool TwoDigits(const char* p, unsigned& v) {
  if (!IsDigit(p[0]) || !IsDigit(p[1])) return false;
  v = static_cast<unsigned>((p[0] - '0') * 10 + (p[1] - '0'));
  return true;
}

// True when `line` starts with a syslog header whose tag ends with ':': `<pri>` optional, then
// a BSD time stamp (`Dec  9 13:01:26`) or an RFC 3339 one, a host and `tag[pid]:`.
bool HasSyslogHeader(std::string_view line) {
  std::size_t i = 0;
  if (i < line.size() && line[i] == '<') {
    const std::size_t close = line.find('>');
    if (close == std::string_view::npos) return false;
    i = close + 1;
  }
  const std::string_view rest = line.substr(i);
  Tokens tokens(rest.data(), rest.data() + rest.size());
  const std::string_view first = tokens.Next();
  if (first.size() == 3 && IsAlpha(first[0]) && IsAlpha(first[1]) && IsAlpha(first[2])) {
    const std::string_view day = tokens.Next();
    const std::string_view time = tokens.Next();
    if (day.empty() || day.size() > 2 || !IsDigit(day[0])) return false;
    if (time.size() != 8 || time[2] != ':' || time[5] != ':') return false;
  } else if (first.size() < 10 || !IsDigit(first[0]) || first[4] != '-') {
    return false;
  }
  const std::string_view host = tokens.Next();
  const std::string_view tag = tokens.Next();
  return !host.empty() && tag.size() >= 2 && tag.back() == ':';
}

// Finds the '[' that opens the accept date: preceded by a space and followed by a digit or ']'
// (an empty date, which is then rejected). npos when there is none.
std::size_t FindAcceptDate(std::string_view line) {
  const char* begin = line.data();
  const char* end = begin + line.size();
  const char* p = begin;
  while (p < end) {
    const void* hit = std::memchr(p, '[', static_cast<std::size_t>(end - p));
    if (hit == nullptr) return std::string_view::npos;
    const char* b = static_cast<const char*>(hit);
    if (b > begin && b[-1] == ' ' && b + 1 < end && (IsDigit(b[1]) || b[1] == ']')) {
      return static_cast<std::size_t>(b - begin);
    }
    p = b + 1;
  }
  return std::string_view::npos;
}

ParseResult Invalid(std::string_view field) { return {LineKind::kInvalid, field}; }

}  // namespace

bool ParseAcceptDate(std::string_view date, std::int64_t& unix_ms) {
  // dd/Mon/yyyy:HH:MM:SS then an optional .fraction (milliseconds from its first 3 digits).
  if (date.size() < 20) return false;
  const char* d = date.data();
  unsigned day = 0, hour = 0, minute = 0, second = 0;
  if (!TwoDigits(d, day) || d[2] != '/' || d[6] != '/' || d[11] != ':' || d[14] != ':' ||
      d[17] != ':') {
    return false;
  }
  const int month = MonthIndex(d + 3);
  if (month == 0) return false;
  unsigned y_hi = 0, y_lo = 0;
  if (!TwoDigits(d + 7, y_hi) || !TwoDigits(d + 9, y_lo)) return false;
  if (!TwoDigits(d + 12, hour) || !TwoDigits(d + 15, minute) || !TwoDigits(d + 18, second)) {
    return false;
  }
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
  std::int64_t ms = 0;
  if (date.size() > 20) {
    if (d[20] != '.' || date.size() == 21) return false;
    int digits = 0;
    for (std::size_t i = 21; i < date.size(); ++i) {
      if (!IsDigit(d[i])) return false;
      if (digits < 3) ms = ms * 10 + (d[i] - '0');
      ++digits;
    }
    for (; digits < 3; ++digits) ms *= 10;
  }
  const std::int64_t days = DaysFromCivil(static_cast<std::int64_t>(y_hi * 100 + y_lo),
                                          static_cast<unsigned>(month), day);
  unix_ms = ((days * 24 + hour) * 60 + minute) * 60'000 + std::int64_t{second} * 1000 + ms;
  return true;
}

HttpRequestParts SplitHttpRequest(std::string_view request) {
  HttpRequestParts parts;
  const std::size_t first = request.find(' ');
  parts.method = request.substr(0, first);
  if (first == std::string_view::npos) return parts;
  std::string_view rest = request.substr(first + 1);
  const std::size_t last = rest.rfind(' ');
  if (last == std::string_view::npos) {
    parts.path = rest;
  } else {
    parts.path = rest.substr(0, last);
    parts.protocol = rest.substr(last + 1);
  }
  return parts;
}

ParseResult ParseHttpLogLine(std::string_view line, HttpLogLine& out) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t bracket = FindAcceptDate(line);
  if (bracket == std::string_view::npos) {
    bool blank = true;
    for (char c : line) {
      if (c != ' ' && c != '\t') {
        blank = false;
        break;
      }
    }
    if (blank || HasSyslogHeader(line)) return {LineKind::kOther, {}};
    return Invalid("accept_date");
  }

  // The client is the token before the accept date; the port follows its last ':'.
  const std::size_t client_end = bracket - 1;
  if (client_end == 0) return Invalid("client");
  const std::size_t space = line.rfind(' ', client_end - 1);
  const std::size_t client_begin = space == std::string_view::npos ? 0 : space + 1;
  if (client_end <= client_begin) return Invalid("client");
  const std::string_view client = line.substr(client_begin, client_end - client_begin);
  const std::size_t colon = client.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return Invalid("client");
  out.client_ip = client.substr(0, colon);
  if (!ParseInt(client.substr(colon + 1), out.client_port) || out.client_port < 0) {
    return Invalid("client");
  }

  const std::size_t date_end = line.find(']', bracket + 1);
  if (date_end == std::string_view::npos) return Invalid("accept_date");
  out.accept_date = line.substr(bracket + 1, date_end - bracket - 1);
  if (!ParseAcceptDate(out.accept_date, out.accept_unix_ms)) return Invalid("accept_date");

  Tokens tokens(line.data() + date_end + 1, line.data() + line.size());
  out.frontend = tokens.Next();
  if (out.frontend.empty()) return Invalid("frontend");
  out.backend_server = tokens.Next();
  const std::size_t slash = out.backend_server.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == out.backend_server.size()) {
    return Invalid("backend/server");
  }
  out.backend = out.backend_server.substr(0, slash);
  out.server = out.backend_server.substr(slash + 1);

  std::int64_t timers[5];
  unsigned plus = 0;
  if (!ParseSlashed(tokens.Next(), timers, 5, plus)) {
    // One extra custom field (e.g. the host) may sit before the timers.
    if (!ParseSlashed(tokens.Next(), timers, 5, plus)) return Invalid("timers");
  }
  out.tq = timers[0];
  out.tw = timers[1];
  out.tc = timers[2];
  out.tr = timers[3];
  out.tt = timers[4];
  out.tt_logasap = (plus & (1u << 4)) != 0;

  if (!ParseInt(tokens.Next(), out.status) || out.status < -1 || out.status > 999) {
    return Invalid("status");
  }
  bool bytes_plus = false;
  if (!ParseCounter(tokens.Next(), out.bytes_read, bytes_plus) || out.bytes_read < 0) {
    return Invalid("bytes_read");
  }
  out.request_cookie = tokens.Next();
  out.response_cookie = tokens.Next();
  out.termination_state = tokens.Next();
  if (out.response_cookie.empty()) return Invalid("cookies");
  if (out.termination_state.size() != 4) return Invalid("termination_state");

  // Counts that do not fit the 32-bit fields are invalid rather than silently cut.
  auto fit32 = [](const std::int64_t* values, int n) {
    return std::all_of(values, values + n, [](std::int64_t v) { return v <= INT32_MAX; });
  };
  std::int64_t conns[5];
  if (!ParseSlashed(tokens.Next(), conns, 5, plus) || !fit32(conns, 5)) {
    return Invalid("connections");
  }
  out.actconn = static_cast<std::int32_t>(conns[0]);
  out.feconn = static_cast<std::int32_t>(conns[1]);
  out.beconn = static_cast<std::int32_t>(conns[2]);
  out.srv_conn = static_cast<std::int32_t>(conns[3]);
  out.retries = static_cast<std::int32_t>(conns[4]);
  out.redispatched = (plus & (1u << 4)) != 0;
  std::int64_t queues[2];
  if (!ParseSlashed(tokens.Next(), queues, 2, plus) || !fit32(queues, 2)) {
    return Invalid("queues");
  }
  out.srv_queue = static_cast<std::int32_t>(queues[0]);
  out.backend_queue = static_cast<std::int32_t>(queues[1]);

  // Up to two captured-header blocks, then the quoted request.
  out.captured_request_headers = {};
  out.captured_response_headers = {};
  const char* end = tokens.end();
  for (int block = 0; block < 2; ++block) {
    tokens.SkipSpaces();
    const char* p = tokens.pos();
    if (p == end || *p != '{') break;
    const void* close = std::memchr(p, '}', static_cast<std::size_t>(end - p));
    if (close == nullptr) return Invalid("captured_headers");
    const char* c = static_cast<const char*>(close);
    const std::string_view headers(p + 1, static_cast<std::size_t>(c - p - 1));
    (block == 0 ? out.captured_request_headers : out.captured_response_headers) = headers;
    tokens.set_pos(c + 1);
  }
  tokens.SkipSpaces();
  const char* quote = tokens.pos();
  if (quote == end || *quote != '"') return Invalid("http_request");
  const std::string_view rest(quote + 1, static_cast<std::size_t>(end - quote - 1));
  // HAProxy escapes '"' inside the request, so the first quote closes it.
  const std::size_t close = rest.find('"');
  out.http_request = close == std::string_view::npos ? rest : rest.substr(0, close);
  return {LineKind::kHttp, {}};
}

}  // namespace ebb::logstat
