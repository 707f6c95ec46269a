#include "lb/haproxy/show_stat_parser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>

namespace ebb::lb::haproxy {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);  // ASCII letters only; the words have nothing else
         });
}

std::string Excerpt(std::string_view text) {
  constexpr std::size_t kMax = 40;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

// Splits the record that starts at `pos` into `fields`; returns the position after it and adds
// the newlines it crossed to `line`. Unquoted lines (all of HAProxy's usual output) are split
// with memchr; a line with a quote is scanned byte by byte, since a quoted field may hold a comma
// or a newline. `bad_quote` is set for an unterminated quote or text after a closing quote.
std::size_t SplitRecord(std::string_view text, std::size_t pos,
                        std::vector<std::string_view>& fields, std::size_t& line, bool& bad_quote) {
  fields.clear();
  bad_quote = false;
  const char* const base = text.data();
  const std::size_t size = text.size();
  const char* newline = static_cast<const char*>(std::memchr(base + pos, '\n', size - pos));
  const std::size_t end = newline == nullptr ? size : static_cast<std::size_t>(newline - base);
  const std::size_t next = newline == nullptr ? size : end + 1;
  if (std::memchr(base + pos, '"', end - pos) == nullptr) {
    std::size_t stop = end;
    if (stop > pos && base[stop - 1] == '\r') --stop;
    std::size_t at = pos;
    for (;;) {
      const char* comma = static_cast<const char*>(std::memchr(base + at, ',', stop - at));
      if (comma == nullptr) {
        fields.emplace_back(base + at, stop - at);
        break;
      }
      const std::size_t comma_at = static_cast<std::size_t>(comma - base);
      fields.emplace_back(base + at, comma_at - at);
      at = comma_at + 1;
    }
    ++line;
    return next;
  }
  std::size_t i = pos;
  for (;;) {
    if (i < size && text[i] == '"') {
      const std::size_t start = ++i;
      std::size_t field_end = size;
      for (;;) {
        if (i >= size) {
          bad_quote = true;
          break;
        }
        if (text[i] == '"') {
          if (i + 1 < size && text[i + 1] == '"') {
            i += 2;
            continue;
          }
          field_end = i++;
          break;
        }
        if (text[i] == '\n') ++line;
        ++i;
      }
      fields.push_back(text.substr(start, std::min(field_end, size) - start));
      // After the closing quote: a comma, the end of the line, or CRLF. A lone '\r' is text.
      const bool crlf = i < size && text[i] == '\r' && (i + 1 >= size || text[i + 1] == '\n');
      if (i < size && text[i] != ',' && text[i] != '\n' && !crlf) {
        bad_quote = true;
        while (i < size && text[i] != ',' && text[i] != '\n') ++i;
      }
      if (i < size && text[i] == '\r') ++i;
    } else {
      const std::size_t start = i;
      while (i < size && text[i] != ',' && text[i] != '\n') ++i;
      std::size_t stop = i;
      if (stop > start && text[stop - 1] == '\r' && (i >= size || text[i] == '\n')) --stop;
      fields.push_back(text.substr(start, stop - start));
    }
    if (i >= size) {
      ++line;
      return size;
    }
    if (text[i] == ',') {
      ++i;
      continue;
    }
    ++line;  // text[i] == '\n'
    return i + 1;
  }
}

bool IsBlankLine(std::string_view text, std::size_t pos) {
  return pos >= text.size() || text[pos] == '\n' ||
         (text[pos] == '\r' && (pos + 1 >= text.size() || text[pos + 1] == '\n'));
}

std::size_t SkipLine(std::string_view text, std::size_t pos) {
  const std::size_t newline = text.find('\n', pos);
  return newline == std::string_view::npos ? text.size() : newline + 1;
}

// The columns this parser reads, in one fixed array per row.
enum Slot : std::size_t {
  kPxname,
  kSvname,
  kQcur,
  kScur,
  kStot,
  kStatus,
  kCheckStatus,
  kType,
  kSlotCount,
};
constexpr std::array<std::string_view, kSlotCount> kSlotNames = {
    "pxname", "svname", "qcur", "scur", "stot", "status", "check_status", "type"};
constexpr std::uint8_t kNoSlot = 0xff;

// Reads a counter; false (with `message` set) for anything but digits or an empty field.
bool ParseCounter(std::string_view text, std::optional<std::uint64_t>& out, std::string& message) {
  out.reset();
  if (text.empty()) return true;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    message = ec == std::errc::result_out_of_range ? "number out of range: '" + Excerpt(text) + "'"
                                                   : "not a number: '" + Excerpt(text) + "'";
    return false;
  }
  out = value;
  return true;
}

// The header's name for column `index`; the empty column after HAProxy's trailing comma is named
// by the last real one.
std::string ColumnName(const std::vector<std::string_view>& header, std::size_t index) {
  if (index < header.size() && !header[index].empty()) return std::string(header[index]);
  for (std::size_t i = std::min(index, header.size()); i-- > 0;) {
    if (!header[i].empty()) return "(after " + std::string(header[i]) + ")";
  }
  return "(column " + std::to_string(index + 1) + ")";
}

}  // namespace

std::string StatRowError::ToString() const {
  return "line " + std::to_string(line) + ": field '" + field + "': " + message;
}

ServerStatusWords InterpretServerStatus(std::string_view status) {
  if (EqualsIgnoringCase(status, "no check")) {
    return {.recognised = true, .admin = AdminState::kReady, .health = Health::kUp};
  }
  const std::size_t space = status.find(' ');
  const std::string_view word = status.substr(0, space);
  if (EqualsIgnoringCase(word, "UP")) {
    return {.recognised = true, .admin = AdminState::kReady, .health = Health::kUp};
  }
  if (EqualsIgnoringCase(word, "DRAIN")) {
    return {.recognised = true, .admin = AdminState::kDrain, .health = Health::kUp};
  }
  if (EqualsIgnoringCase(word, "NOLB")) {
    return {.recognised = true, .admin = std::nullopt, .health = Health::kUp};
  }
  if (EqualsIgnoringCase(word, "DOWN")) {
    return {.recognised = true, .admin = std::nullopt, .health = Health::kDown};
  }
  if (EqualsIgnoringCase(word, "MAINT")) {
    return {.recognised = true, .admin = AdminState::kMaint, .health = Health::kUnknown};
  }
  return {};
}

core::Status ParseShowStat(std::string_view reply, ShowStatTable& out,
                           std::string_view only_proxy) {
  out.rows.clear();
  out.errors.clear();
  std::vector<std::string_view>& fields = out.fields;
  std::size_t pos = 0;
  std::size_t line = 1;
  while (pos < reply.size() && IsBlankLine(reply, pos)) {
    pos = SkipLine(reply, pos);
    ++line;
  }
  if (pos >= reply.size() || reply.compare(pos, 2, "# ") != 0) {
    const std::string_view first = reply.substr(pos, reply.find('\n', pos) - pos);
    return core::InvalidArgumentError("show stat: line " + std::to_string(line) +
                                      ": expected the header '# pxname,svname,...', got '" +
                                      Excerpt(first) + "'");
  }
  bool bad_quote = false;
  const std::size_t header_line = line;
  pos = SplitRecord(reply, pos + 2, fields, line, bad_quote);
  // Which of the columns this parser reads sits where; kNoSlot for the others.
  const std::size_t column_count = fields.size();
  std::vector<std::uint8_t> slot_of_column(column_count, kNoSlot);
  std::array<bool, kSlotCount> present{};
  for (std::size_t i = 0; i < column_count; ++i) {
    for (std::size_t slot = 0; slot < kSlotCount; ++slot) {
      if (fields[i] == kSlotNames[slot] && !present[slot]) {
        slot_of_column[i] = static_cast<std::uint8_t>(slot);
        present[slot] = true;
      }
    }
  }
  for (const std::size_t slot : {kPxname, kSvname, kQcur, kScur, kStot, kStatus}) {
    if (!present[slot]) {
      return core::InvalidArgumentError("show stat: line " + std::to_string(header_line) +
                                        ": the header has no column '" +
                                        std::string(kSlotNames[slot]) + "'");
    }
  }
  // Only HAProxy's own layout (pxname first) allows skipping other proxies' rows unread.
  const bool pxname_first = slot_of_column[0] == kPxname;
  // The header's names, for errors: views into the reply like everything else.
  std::vector<std::string_view>& header_names = out.header;
  header_names.assign(fields.begin(), fields.end());

  const char* const base = reply.data();
  const std::size_t size = reply.size();
  std::array<std::string_view, kSlotCount> value;
  std::string message;
  while (pos < size) {
    if (IsBlankLine(reply, pos)) {
      pos = SkipLine(reply, pos);
      ++line;
      continue;
    }
    const std::size_t row_line = line;
    const char* newline = static_cast<const char*>(std::memchr(base + pos, '\n', size - pos));
    const std::size_t end = newline == nullptr ? size : static_cast<std::size_t>(newline - base);
    std::size_t count = 0;
    value.fill(std::string_view());
    if (std::memchr(base + pos, '"', end - pos) == nullptr) {
      // The usual case, kept to memchr and a table lookup per field: a 1,000-server reply is
      // parsed once per controller tick.
      if (!only_proxy.empty() && pxname_first &&
          (end - pos <= only_proxy.size() || base[pos + only_proxy.size()] != ',' ||
           std::memcmp(base + pos, only_proxy.data(), only_proxy.size()) != 0)) {
        pos = newline == nullptr ? size : end + 1;
        ++line;
        continue;
      }
      std::size_t stop = end;
      if (stop > pos && base[stop - 1] == '\r') --stop;
      // Fields average two bytes, so a plain loop beats a memchr call per field.
      const char* at = base + pos;
      const char* const row_end = base + stop;
      for (;;) {
        const char* field_end = at;
        while (field_end < row_end && *field_end != ',') ++field_end;
        if (count < column_count && slot_of_column[count] != kNoSlot) {
          value[slot_of_column[count]] =
              std::string_view(at, static_cast<std::size_t>(field_end - at));
        }
        ++count;
        if (field_end == row_end) break;
        at = field_end + 1;
      }
      pos = newline == nullptr ? size : end + 1;
      ++line;
      bad_quote = false;
    } else {
      pos = SplitRecord(reply, pos, fields, line, bad_quote);
      count = fields.size();
      for (std::size_t i = 0; i < std::min(count, column_count); ++i) {
        if (slot_of_column[i] != kNoSlot) value[slot_of_column[i]] = fields[i];
      }
    }
    auto fail = [&](std::string_view field, std::string text) {
      out.errors.push_back(
          StatRowError{.line = row_line, .field = std::string(field), .message = std::move(text)});
    };
    if (bad_quote) {
      fail(ColumnName(header_names, std::min(count, column_count) - 1), "unbalanced quote");
      continue;
    }
    if (count != column_count) {
      const std::string counts =
          std::to_string(count) + " fields where the header has " + std::to_string(column_count);
      if (count < column_count) {
        fail(ColumnName(header_names, count), counts + ": row cut short");
      } else {
        fail("(beyond the header)", counts);
      }
      continue;
    }
    StatRow row;
    row.line = row_line;
    row.pxname = value[kPxname];
    row.svname = value[kSvname];
    if (!only_proxy.empty() && row.pxname != only_proxy) continue;
    if (row.pxname.empty()) {
      fail("pxname", "empty");
      continue;
    }
    if (row.svname.empty()) {
      fail("svname", "empty");
      continue;
    }
    if (!ParseCounter(value[kQcur], row.qcur, message)) {
      fail("qcur", message);
      continue;
    }
    if (!ParseCounter(value[kScur], row.scur, message)) {
      fail("scur", message);
      continue;
    }
    if (!ParseCounter(value[kStot], row.stot, message)) {
      fail("stot", message);
      continue;
    }
    if (present[kType]) {
      std::optional<std::uint64_t> type;
      if (!ParseCounter(value[kType], type, message) || !type || *type > 3) {
        fail("type", "not a row type (0-3): '" + Excerpt(value[kType]) + "'");
        continue;
      }
      row.type = static_cast<StatRowType>(*type);
    } else if (row.svname == "FRONTEND") {
      row.type = StatRowType::kFrontend;
    } else if (row.svname == "BACKEND") {
      row.type = StatRowType::kBackend;
    } else {
      row.type = StatRowType::kServer;
    }
    row.status = value[kStatus];
    row.check_status = value[kCheckStatus];
    if (row.type == StatRowType::kServer) {
      const ServerStatusWords words = InterpretServerStatus(row.status);
      if (!words.recognised) {
        fail("status", "unknown server status '" + Excerpt(row.status) + "'");
        continue;
      }
      if (!row.scur || !row.stot || !row.qcur) {
        fail(!row.qcur ? "qcur" : !row.scur ? "scur" : "stot", "empty in a server row");
        continue;
      }
      row.admin = words.admin;
      row.health = words.health;
      row.transitional = row.status.find('/') != std::string_view::npos &&
                         row.status.find("(via") == std::string_view::npos;
    }
    out.rows.push_back(row);
  }
  return core::Status::Ok();
}

}  // namespace ebb::lb::haproxy
