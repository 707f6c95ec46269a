// Fuzzes logstat's HAProxy httplog line parser: ParseHttpLogLine on one line (the input up to its
// first '\n', as the log reader would hand it over), SplitHttpRequest on the request it found and
// ParseAcceptDate on the whole input. Every view of a parsed line must point into the line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "tools/logstat/http_log_line.h"

namespace {

using ebb::logstat::HttpLogLine;
using ebb::logstat::LineKind;

bool Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  std::int64_t unix_ms = 0;
  (void)ebb::logstat::ParseAcceptDate(input, unix_ms);

  const std::string_view line = input.substr(0, input.find('\n'));
  HttpLogLine out;
  const ebb::logstat::ParseResult result = ebb::logstat::ParseHttpLogLine(line, out);
  if (result.kind == LineKind::kInvalid) {
    FUZZ_CHECK(!result.error_field.empty());
    return 0;
  }
  if (result.kind != LineKind::kHttp) return 0;

  for (std::string_view part :
       {out.client_ip, out.accept_date, out.frontend, out.backend, out.server, out.backend_server,
        out.request_cookie, out.response_cookie, out.termination_state,
        out.captured_request_headers, out.captured_response_headers, out.http_request}) {
    FUZZ_CHECK(Inside(part, line));
  }
  // The accept date was read once by the line parser; reading it again agrees.
  std::int64_t again = 0;
  FUZZ_CHECK(ebb::logstat::ParseAcceptDate(out.accept_date, again));
  FUZZ_CHECK(again == out.accept_unix_ms);

  const ebb::logstat::HttpRequestParts parts = ebb::logstat::SplitHttpRequest(out.http_request);
  FUZZ_CHECK(Inside(parts.method, out.http_request));
  FUZZ_CHECK(Inside(parts.path, out.http_request));
  FUZZ_CHECK(Inside(parts.protocol, out.http_request));
  return 0;
}
