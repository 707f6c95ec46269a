// Parsing HAProxy's `show stat` CSV, and HAProxy's status words in ebb's terms.
//
// Columns are found by their names in the header line ("# pxname,svname,qcur,..."), so any
// HAProxy from 1.5 to 3.x parses: columns are added between versions and their positions move.
// pxname, svname, qcur, scur, stot and status must be in the header; check_status and type are
// read when present (type is then derived from svname: FRONTEND, BACKEND, else a server).
//
// Parsing is allocation-light: every string_view in a StatRow points into the caller's reply, and
// the table's vectors keep their capacity when reused. A row that is corrupted (a field count
// that differs from the header's, letters in a number, an unknown server status) becomes a
// StatRowError with its line number and field name and is left out of `rows`; the other rows
// still parse. HAProxy quotes text fields that contain a comma or a quote ("a, b"); the view of a
// quoted field excludes its outer quotes (a doubled quote inside stays doubled).
//
// Server status -> ebb (checked against HAProxy 2.6's stats code and a real 2.6, see the tests):
//   status            admin     health    why
//   UP                ready     UP
//   UP 1/3            ready     UP        still up, going down after more failed checks
//   DRAIN, DRAIN 1/3, DRAIN (agent)
//                     drain     UP        drained servers are still checked
//   NOLB, NOLB 1/3    (unseen)  UP        stopping (weight 0 from an agent or 404), still up
//   no check          ready     UP        no check configured: HAProxy assumes it is up
//   DOWN, DOWN 1/2, DOWN (agent)
//                     (unseen)  DOWN      DOWN 1/2 is going up but not yet up
//   MAINT, MAINT (via b/s), MAINT (resolution)
//                     maint     UNKNOWN   HAProxy runs no check in maint
// "(unseen)": HAProxy prints DOWN and NOLB for a server whatever its drain flag (2.6 prints
// "DOWN" for a drained server that is down), so the admin state is not in `show stat`; callers
// read it from `show servers state` (servers_state_parser.h). Words are matched ignoring case.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lb/load_balancer.h"

namespace ebb::lb::haproxy {

// HAProxy's `type` column: 0 frontend, 1 backend, 2 server, 3 listener.
enum class StatRowType : std::uint8_t { kFrontend, kBackend, kServer, kListener };

struct StatRow {
  std::size_t line = 0;  // 1-based line in the reply
  std::string_view pxname;
  std::string_view svname;
  StatRowType type = StatRowType::kServer;
  // Empty in HAProxy's output where a value does not apply (a frontend's qcur): nullopt.
  std::optional<std::uint64_t> qcur;
  std::optional<std::uint64_t> scur;
  std::optional<std::uint64_t> stot;
  std::string_view status;        // "UP", "DOWN 1/2", "MAINT (via web/s1)", "OPEN", ...
  std::string_view check_status;  // "L7OK", "* L4CON" (check under way); empty when none
  // Server rows only, from `status` (see the table above).
  std::optional<AdminState> admin;
  Health health = Health::kUnknown;
  bool transitional = false;  // "UP 1/3", "DOWN 1/2": the checks are moving it to the other side
};

struct StatRowError {
  std::size_t line = 0;
  std::string field;             // the header name of the offending column
  std::string message;           // "not a number: 'x1'"
  std::string ToString() const;  // "line 7: field 'scur': not a number: 'x1'"
};

struct ShowStatTable {
  std::vector<StatRow> rows;
  std::vector<StatRowError> errors;
  // The parser's scratch space (the header's names, one row's fields), kept between parses.
  std::vector<std::string_view> header;
  std::vector<std::string_view> fields;
};

// Parses a whole `show stat` reply into `out` (cleared first, capacity kept). With `only_proxy`
// set, rows of other proxies are skipped before their fields are read. InvalidArgument when the
// header is missing or lacks a required column; row problems go to out.errors.
core::Status ParseShowStat(std::string_view reply, ShowStatTable& out,
                           std::string_view only_proxy = {});

struct ServerStatusWords {
  bool recognised = false;
  std::optional<AdminState> admin;  // nullopt when the status does not show it
  Health health = Health::kUnknown;
};

// One server's `status` field in ebb's words.
ServerStatusWords InterpretServerStatus(std::string_view status);

}  // namespace ebb::lb::haproxy
