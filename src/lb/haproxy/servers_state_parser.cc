#include "lb/haproxy/servers_state_parser.h"

#include <charconv>
#include <string>

namespace ebb::lb::haproxy {
namespace {

constexpr std::uint32_t kMaintFlags = 0x01 | 0x02 | 0x04 | 0x20;
constexpr std::uint32_t kDrainFlags = 0x08 | 0x10;
constexpr std::size_t kNoColumn = static_cast<std::size_t>(-1);

// The next space-separated word of `line` from `pos`; empty at the end.
std::string_view NextWord(std::string_view line, std::size_t& pos) {
  while (pos < line.size() && line[pos] == ' ') ++pos;
  const std::size_t start = pos;
  while (pos < line.size() && line[pos] != ' ') ++pos;
  return line.substr(start, pos - start);
}

core::Status LineError(std::size_t line, std::string_view field, std::string_view message) {
  return core::InvalidArgumentError("show servers state: line " + std::to_string(line) +
                                    ": field '" + std::string(field) +
                                    "': " + std::string(message));
}

}  // namespace

AdminState AdminStateFromFlags(std::uint32_t flags) {
  if (flags & kMaintFlags) return AdminState::kMaint;
  if (flags & kDrainFlags) return AdminState::kDrain;
  return AdminState::kReady;
}

core::Status ParseServersState(std::string_view reply, std::vector<ServerAdminRow>& out) {
  out.clear();
  std::size_t pos = 0;
  std::size_t line_number = 0;
  std::size_t be_name = kNoColumn;
  std::size_t srv_name = kNoColumn;
  std::size_t srv_admin_state = kNoColumn;
  bool version_seen = false;
  bool header_seen = false;
  while (pos < reply.size()) {
    std::size_t end = reply.find('\n', pos);
    if (end == std::string_view::npos) end = reply.size();
    std::string_view line = reply.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (!version_seen) {
      if (line != "1") return LineError(line_number, "version", "expected format version 1");
      version_seen = true;
      continue;
    }
    if (!header_seen) {
      if (!line.starts_with("# "))
        return LineError(line_number, "header", "expected '# be_id ...'");
      std::size_t at = 2;
      for (std::size_t column = 0;; ++column) {
        const std::string_view name = NextWord(line, at);
        if (name.empty()) break;
        if (name == "be_name") be_name = column;
        if (name == "srv_name") srv_name = column;
        if (name == "srv_admin_state") srv_admin_state = column;
      }
      if (be_name == kNoColumn || srv_name == kNoColumn || srv_admin_state == kNoColumn) {
        return LineError(line_number, "header", "lacks be_name, srv_name or srv_admin_state");
      }
      header_seen = true;
      continue;
    }
    ServerAdminRow row;
    row.line = line_number;
    std::string_view admin_text;
    std::size_t at = 0;
    std::size_t column = 0;
    for (std::string_view word = NextWord(line, at); !word.empty();
         word = NextWord(line, at), ++column) {
      if (column == be_name) row.backend = word;
      if (column == srv_name) row.server = word;
      if (column == srv_admin_state) admin_text = word;
    }
    if (row.backend.empty()) return LineError(line_number, "be_name", "missing");
    if (row.server.empty()) return LineError(line_number, "srv_name", "missing");
    if (admin_text.empty()) return LineError(line_number, "srv_admin_state", "missing");
    const auto [stop, ec] =
        std::from_chars(admin_text.data(), admin_text.data() + admin_text.size(), row.admin_bits);
    if (ec != std::errc() || stop != admin_text.data() + admin_text.size()) {
      return LineError(line_number, "srv_admin_state",
                       "not a number: '" + std::string(admin_text) + "'");
    }
    row.admin = AdminStateFromFlags(row.admin_bits);
    out.push_back(row);
  }
  if (!header_seen) return LineError(line_number, "header", "no header in the reply");
  return core::Status::Ok();
}

}  // namespace ebb::lb::haproxy
