// Fuzzes the HAProxy adapter's `show stat` CSV parser. The input is the whole reply. It is parsed
// into a table reused between inputs, then again filtered to one proxy (the middle row's, or
// "web"). Every row and error sits on a line of the reply, one per record in increasing order;
// errors name a column of the header; a row's views point into the reply and a server row's
// health and admin state are InterpretServerStatus(status)'s; the filtered parse keeps exactly
// the unfiltered rows of that proxy.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_check.h"
#include "lb/haproxy/show_stat_parser.h"

namespace {

using ebb::lb::AdminState;
using ebb::lb::Health;
using ebb::lb::haproxy::ServerStatusWords;
using ebb::lb::haproxy::ShowStatTable;
using ebb::lb::haproxy::StatRow;
using ebb::lb::haproxy::StatRowError;
using ebb::lb::haproxy::StatRowType;

std::size_t LineCount(std::string_view text) {
  const std::size_t newlines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return newlines + (!text.empty() && text.back() != '\n' ? 1 : 0);
}

bool Inside(std::string_view view, std::string_view reply) {
  return view.empty() ||
         (view.data() >= reply.data() && view.data() + view.size() <= reply.data() + reply.size());
}

bool InHeader(const ShowStatTable& table, std::string_view name) {
  return !name.empty() &&
         std::find(table.header.begin(), table.header.end(), name) != table.header.end();
}

// The names ParseShowStat gives a column: the header's, "(after <name>)" for an empty one,
// "(column N)" when every name up to N is empty, or "(beyond the header)".
bool NamesHeaderField(const ShowStatTable& table, std::string_view field) {
  if (InHeader(table, field) || field == "(beyond the header)") return true;
  if (field.starts_with("(after ") && field.ends_with(")")) {
    return InHeader(table, field.substr(7, field.size() - 8));
  }
  if (field.starts_with("(column ") && field.ends_with(")")) {
    const std::size_t n = std::stoul(std::string(field.substr(8, field.size() - 9)));
    return n >= 1 && n <= table.header.size() &&
           std::all_of(table.header.begin(), table.header.begin() + static_cast<std::ptrdiff_t>(n),
                       [](std::string_view name) { return name.empty(); });
  }
  return false;
}

void CheckTable(std::string_view reply, const ShowStatTable& table, std::string_view only_proxy) {
  const std::size_t lines = LineCount(reply);
  std::size_t last_row = 0;
  for (const StatRow& row : table.rows) {
    FUZZ_CHECK(row.line >= 1 && row.line <= lines);
    FUZZ_CHECK(row.line > last_row);
    last_row = row.line;
    FUZZ_CHECK(only_proxy.empty() || row.pxname == only_proxy);
    FUZZ_CHECK(!row.pxname.empty() && !row.svname.empty());
    FUZZ_CHECK(Inside(row.pxname, reply) && Inside(row.svname, reply));
    FUZZ_CHECK(Inside(row.status, reply) && Inside(row.check_status, reply));
    FUZZ_CHECK(static_cast<std::uint8_t>(row.type) <=
               static_cast<std::uint8_t>(StatRowType::kListener));
    if (row.type == StatRowType::kServer) {
      const ServerStatusWords words = ebb::lb::haproxy::InterpretServerStatus(row.status);
      FUZZ_CHECK(words.recognised);
      FUZZ_CHECK(row.admin == words.admin);
      FUZZ_CHECK(row.health == words.health);
      FUZZ_CHECK(words.admin != AdminState::kMaint || words.health == Health::kUnknown);
      FUZZ_CHECK(words.health != Health::kDown || !words.admin.has_value());
      FUZZ_CHECK(row.qcur && row.scur && row.stot);
      FUZZ_CHECK(!row.transitional || row.status.find('/') != std::string_view::npos);
    } else {
      FUZZ_CHECK(!row.admin && row.health == Health::kUnknown && !row.transitional);
    }
  }
  std::size_t last_error = 0;
  for (const StatRowError& error : table.errors) {
    FUZZ_CHECK(error.line >= 1 && error.line <= lines);
    FUZZ_CHECK(error.line > last_error);
    last_error = error.line;
    FUZZ_CHECK(!error.message.empty());
    FUZZ_CHECK(NamesHeaderField(table, error.field));
    // One record, one outcome: no line is both a row and an error.
    FUZZ_CHECK(std::none_of(table.rows.begin(), table.rows.end(),
                            [&](const StatRow& row) { return row.line == error.line; }));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view reply(reinterpret_cast<const char*>(data), size);
  static ShowStatTable all;
  static ShowStatTable filtered;

  const ebb::core::Status status = ebb::lb::haproxy::ParseShowStat(reply, all);
  if (!status.ok()) {
    FUZZ_CHECK(!status.message().empty());
    FUZZ_CHECK(all.rows.empty() && all.errors.empty());
    return 0;
  }
  CheckTable(reply, all, {});

  const std::string_view proxy = all.rows.empty() ? "web" : all.rows[all.rows.size() / 2].pxname;
  FUZZ_CHECK(ebb::lb::haproxy::ParseShowStat(reply, filtered, proxy).ok());
  CheckTable(reply, filtered, proxy);
  std::size_t i = 0;
  for (const StatRow& row : all.rows) {
    if (row.pxname != proxy) continue;
    FUZZ_CHECK(i < filtered.rows.size());
    const StatRow& same = filtered.rows[i++];
    FUZZ_CHECK(same.line == row.line && same.svname == row.svname && same.status == row.status);
    FUZZ_CHECK(same.type == row.type && same.scur == row.scur && same.stot == row.stot);
  }
  FUZZ_CHECK(i == filtered.rows.size());
  return 0;
}
