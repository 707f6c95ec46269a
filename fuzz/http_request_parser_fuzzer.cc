// Fuzzes testserver's HTTP/1.1 request parser the way a connection uses it: parse from the front
// of the buffer, drop the bytes of each complete request and parse again (pipelining), until it
// needs more or fails. Runs once with the default limits and once with small ones, so the 413
// and 431 paths are reached with short inputs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "tools/testserver/http_request_parser.h"

namespace {

using ebb::testserver::HttpParserLimits;
using ebb::testserver::ParseState;

void ParseAll(std::string_view buffer, const HttpParserLimits& limits) {
  while (true) {
    const ebb::testserver::ParseResult r = ebb::testserver::ParseHttpRequest(buffer, limits);
    switch (r.state) {
      case ParseState::kNeedMore:
        return;
      case ParseState::kError:
        FUZZ_CHECK(r.error_status >= 400 && r.error_status <= 599);
        return;
      case ParseState::kComplete:
        FUZZ_CHECK(r.consumed > 0 && r.consumed <= buffer.size());
        FUZZ_CHECK(r.request.content_length <= limits.max_body_bytes);
        (void)r.request.Path();
        (void)r.request.IsHead();
        buffer.remove_prefix(r.consumed);
        break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseAll(input, HttpParserLimits{});
  ParseAll(input, HttpParserLimits{.max_head_bytes = 64, .max_body_bytes = 16});
  return 0;
}
