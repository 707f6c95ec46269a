// Parsing HAProxy's `show info`: "Key: value" lines (1.5 to 3.x; keys may contain spaces, as in
// "Unstoppable Jobs"; values may be empty, as in "description: "). Every pair is kept in order;
// the few that ebb reads are also typed. A line without ':' or a typed field that is not a number
// is InvalidArgument naming the line and the key; a reply without "Version" is not `show info`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace ebb::lb::haproxy {

struct ShowInfo {
  std::vector<std::pair<std::string, std::string>> fields;  // in the reply's order
  std::string name;                                         // "HAProxy"
  std::string version;                                      // "2.6.12-1+deb12u4"
  std::optional<std::uint64_t> pid;
  std::optional<std::uint64_t> uptime_sec;
  std::optional<std::uint64_t> curr_conns;
  std::optional<std::uint64_t> maxconn;
  std::optional<std::uint64_t> cum_req;  // 1.8+

  // The value of `key`, or nullopt.
  std::optional<std::string_view> Find(std::string_view key) const;
};

core::Result<ShowInfo> ParseShowInfo(std::string_view reply);

}  // namespace ebb::lb::haproxy
