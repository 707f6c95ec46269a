#include "lb/haproxy/show_info_parser.h"

#include <charconv>

namespace ebb::lb::haproxy {

std::optional<std::string_view> ShowInfo::Find(std::string_view key) const {
  for (const auto& [field_key, value] : fields) {
    if (field_key == key) return std::string_view(value);
  }
  return std::nullopt;
}

core::Result<ShowInfo> ParseShowInfo(std::string_view reply) {
  ShowInfo info;
  std::size_t pos = 0;
  std::size_t line_number = 0;
  while (pos < reply.size()) {
    std::size_t end = reply.find('\n', pos);
    if (end == std::string_view::npos) end = reply.size();
    std::string_view line = reply.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return core::InvalidArgumentError("show info: line " + std::to_string(line_number) +
                                        ": expected 'Key: value', got '" +
                                        std::string(line.substr(0, 60)) + "'");
    }
    const std::string_view key = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.remove_prefix(1);
    info.fields.emplace_back(std::string(key), std::string(value));

    std::optional<std::uint64_t>* typed = nullptr;
    if (key == "Pid")
      typed = &info.pid;
    else if (key == "Uptime_sec")
      typed = &info.uptime_sec;
    else if (key == "CurrConns")
      typed = &info.curr_conns;
    else if (key == "Maxconn")
      typed = &info.maxconn;
    else if (key == "CumReq")
      typed = &info.cum_req;
    else if (key == "Name")
      info.name = std::string(value);
    else if (key == "Version")
      info.version = std::string(value);
    if (typed != nullptr) {
      std::uint64_t number = 0;
      const auto [stop, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (ec != std::errc() || stop != value.data() + value.size()) {
        return core::InvalidArgumentError("show info: line " + std::to_string(line_number) +
                                          ": field '" + std::string(key) + "': not a number: '" +
                                          std::string(value.substr(0, 40)) + "'");
      }
      *typed = number;
    }
  }
  if (info.version.empty()) {
    return core::InvalidArgumentError("show info: no 'Version' line in the reply");
  }
  return info;
}

}  // namespace ebb::lb::haproxy
