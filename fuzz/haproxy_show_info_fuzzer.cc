// Fuzzes the HAProxy adapter's `show info` parser. The input is the whole reply. A reply that
// parses has a Version; every pair comes from one line (no more pairs than lines, keys without
// ':' or a newline); the typed fields and Name/Version are the last such line's value, which
// Find() returns the first of. An error names a line of the reply, or says Version is missing.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "lb/haproxy/show_info_parser.h"

namespace {

using ebb::lb::haproxy::ShowInfo;

std::size_t LineCount(std::string_view text) {
  const std::size_t newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

// The value of the last pair named `key`.
std::optional<std::string_view> Last(const ShowInfo& info, std::string_view key) {
  std::optional<std::string_view> value;
  for (const auto& [k, v] : info.fields) {
    if (k == key) value = v;
  }
  return value;
}

void CheckTyped(const ShowInfo& info, std::string_view key,
                const std::optional<std::uint64_t>& typed) {
  const std::optional<std::string_view> text = Last(info, key);
  FUZZ_CHECK(text.has_value() == typed.has_value());
  if (!text) return;
  std::uint64_t number = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
  FUZZ_CHECK(ec == std::errc() && end == text->data() + text->size() && number == *typed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view reply(reinterpret_cast<const char*>(data), size);
  const std::size_t lines = LineCount(reply);
  ebb::core::Result<ShowInfo> parsed = ebb::lb::haproxy::ParseShowInfo(reply);
  if (!parsed.ok()) {
    const std::string_view message = parsed.status().message();
    FUZZ_CHECK(message.starts_with("show info: "));
    if (message.starts_with("show info: line ")) {
      std::size_t line = 0;
      const char* digits = message.data() + 16;
      const auto [end, ec] = std::from_chars(digits, message.data() + message.size(), line);
      FUZZ_CHECK(ec == std::errc() && end != digits && line >= 1 && line <= lines);
    } else {
      FUZZ_CHECK(message == "show info: no 'Version' line in the reply");
    }
    return 0;
  }
  const ShowInfo& info = *parsed;
  FUZZ_CHECK(!info.version.empty());
  FUZZ_CHECK(info.fields.size() <= lines);
  for (const auto& [key, value] : info.fields) {
    FUZZ_CHECK(!key.empty());
    FUZZ_CHECK(key.find(':') == std::string::npos && key.find('\n') == std::string::npos);
    FUZZ_CHECK(value.find('\n') == std::string::npos);
    FUZZ_CHECK(info.Find(key).has_value());
  }
  FUZZ_CHECK(Last(info, "Version") == std::optional<std::string_view>(info.version));
  FUZZ_CHECK(Last(info, "Name").value_or("") == info.name);
  CheckTyped(info, "Pid", info.pid);
  CheckTyped(info, "Uptime_sec", info.uptime_sec);
  CheckTyped(info, "CurrConns", info.curr_conns);
  CheckTyped(info, "Maxconn", info.maxconn);
  CheckTyped(info, "CumReq", info.cum_req);
  return 0;
}
