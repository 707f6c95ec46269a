// Parsing HAProxy's `show servers state [<backend>]` (1.6+): a format version line ("1"), a
// header ("# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...") and one
// space-separated row per server. The adapter reads it only for servers whose `show stat` status
// hides the admin state (DOWN, NOLB), so columns are found by header name and only be_name,
// srv_name and srv_admin_state are read. Views point into the reply. Any malformed row fails the
// whole parse (InvalidArgument naming the line and field): this reply is only read to settle a
// state, and a guess would defeat that.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lb/load_balancer.h"

namespace ebb::lb::haproxy {

struct ServerAdminRow {
  std::size_t line = 0;
  std::string_view backend;
  std::string_view server;
  std::uint32_t admin_bits = 0;  // HAProxy's srv_admin_state flags
  AdminState admin = AdminState::kReady;
};

// HAProxy's srv_admin_state flags (src/server.h, enum srv_admin) in ebb's words: any maintenance
// flag (forced 0x01, inherited 0x02, configured 0x04, DNS resolution 0x20) is maint, else any
// drain flag (forced 0x08, inherited 0x10) is drain, else ready.
AdminState AdminStateFromFlags(std::uint32_t flags);

// Fills `out` (cleared first) with the rows of `reply`.
core::Status ParseServersState(std::string_view reply, std::vector<ServerAdminRow>& out);

}  // namespace ebb::lb::haproxy
