// Fuzzes the HAProxy adapter's `show servers state` parser. The input is the whole reply, parsed
// into a vector reused between inputs. Rows sit on lines of the reply in increasing order, their
// names are words of it (views into it, no space or newline), and their admin state is
// AdminStateFromFlags(bits); the rows, written back as a minimal reply, parse to the same rows.
// An error names a line of the reply and one of the fields the parser reads.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "lb/haproxy/servers_state_parser.h"

namespace {

using ebb::lb::haproxy::ServerAdminRow;

std::size_t LineCount(std::string_view text) {
  const std::size_t newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

bool IsWordOf(std::string_view word, std::string_view reply) {
  return !word.empty() && word.data() >= reply.data() &&
         word.data() + word.size() <= reply.data() + reply.size() &&
         word.find_first_of(" \n") == std::string_view::npos;
}

void CheckError(std::string_view message, std::size_t lines) {
  constexpr std::string_view kPrefix = "show servers state: line ";
  FUZZ_CHECK(message.starts_with(kPrefix));
  std::size_t line = 0;
  const char* digits = message.data() + kPrefix.size();
  const auto [end, ec] = std::from_chars(digits, message.data() + message.size(), line);
  FUZZ_CHECK(ec == std::errc() && end != digits && line <= lines);
  const std::string_view rest(end, static_cast<std::size_t>(message.data() + message.size() - end));
  FUZZ_CHECK(rest.starts_with(": field '"));
  const bool known_field =
      rest.starts_with(": field 'version'") || rest.starts_with(": field 'header'") ||
      rest.starts_with(": field 'be_name'") || rest.starts_with(": field 'srv_name'") ||
      rest.starts_with(": field 'srv_admin_state'");
  FUZZ_CHECK(known_field);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view reply(reinterpret_cast<const char*>(data), size);
  const std::size_t lines = LineCount(reply);
  static std::vector<ServerAdminRow> rows;
  const ebb::core::Status status = ebb::lb::haproxy::ParseServersState(reply, rows);
  if (!status.ok()) {
    CheckError(status.message(), lines);
    return 0;
  }
  std::size_t last = 0;
  std::string rebuilt = "1\n# be_name srv_name srv_admin_state\n";
  for (const ServerAdminRow& row : rows) {
    FUZZ_CHECK(row.line > last && row.line <= lines);
    last = row.line;
    FUZZ_CHECK(IsWordOf(row.backend, reply) && IsWordOf(row.server, reply));
    FUZZ_CHECK(row.admin == ebb::lb::haproxy::AdminStateFromFlags(row.admin_bits));
    rebuilt += std::string(row.backend) + " " + std::string(row.server) + " " +
               std::to_string(row.admin_bits) + "\n";
  }
  // Rows are never before the version line and the header.
  FUZZ_CHECK(rows.empty() || rows.front().line >= 3);

  std::vector<ServerAdminRow> again;
  FUZZ_CHECK(ebb::lb::haproxy::ParseServersState(rebuilt, again).ok());
  FUZZ_CHECK(again.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FUZZ_CHECK(again[i].backend == rows[i].backend && again[i].server == rows[i].server);
    FUZZ_CHECK(again[i].admin_bits == rows[i].admin_bits && again[i].admin == rows[i].admin);
  }
  return 0;
}
