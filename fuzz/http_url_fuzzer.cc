// Fuzzes replay's target URL parser. A URL that parses must print (ToString) as a URL that parses
// to the same host, port and path.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "tools/replay/http_url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ebb::core::Result<ebb::replay::HttpUrl> url = ebb::replay::ParseHttpUrl(input);
  if (!url.ok()) {
    FUZZ_CHECK(!url.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(!url->host.empty());
  FUZZ_CHECK(url->port != 0);
  FUZZ_CHECK(!url->path.empty() && url->path[0] == '/');
  (void)url->HostHeader();
  const std::string printed = url->ToString();
  ebb::core::Result<ebb::replay::HttpUrl> again = ebb::replay::ParseHttpUrl(printed);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->host == url->host);
  FUZZ_CHECK(again->port == url->port);
  FUZZ_CHECK(again->path == url->path);
  return 0;
}
