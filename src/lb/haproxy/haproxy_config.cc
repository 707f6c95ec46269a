#include "lb/haproxy/haproxy_config.h"

#include <fmt/format.h>

#include <string_view>

namespace ebb::lb::haproxy {
namespace {

bool IsWord(std::string_view text) {
  return !text.empty() && text.find_first_of(" \t\r\n#") == std::string_view::npos;
}

}  // namespace

core::Result<std::string> RenderServerLines(const std::vector<core::NodeSpec>& nodes,
                                            const ServerLineOptions& options) {
  if (options.check_interval_ms <= 0 || options.fall <= 0 || options.rise <= 0 ||
      options.maxconn < 0 || options.slowstart_s < 0) {
    return core::InvalidArgumentError(
        "haproxy server lines: inter, fall and rise must be positive, maxconn and slowstart not "
        "negative");
  }
  std::string text;
  for (const core::NodeSpec& node : nodes) {
    if (!IsWord(node.name) || node.name.find('/') != std::string::npos) {
      return core::InvalidArgumentError("haproxy server lines: node name '" + node.name +
                                        "' is empty or has a space, '#' or '/'");
    }
    if (!IsWord(node.host)) {
      return core::InvalidArgumentError("haproxy server lines: node " + node.name +
                                        " has no host (or a host with a space)");
    }
    if (node.port <= 0 || node.port > 65535) {
      return core::InvalidArgumentError("haproxy server lines: node " + node.name +
                                        " has no service port");
    }
    // An IPv6 literal needs brackets to be told from its port.
    const bool ipv6 = node.host.find(':') != std::string::npos && node.host.front() != '[';
    text += fmt::format("  server {} {}{}{}:{} check inter {}ms fall {} rise {}", node.name,
                        ipv6 ? "[" : "", node.host, ipv6 ? "]" : "", node.port,
                        options.check_interval_ms, options.fall, options.rise);
    if (options.maxconn > 0) text += fmt::format(" maxconn {}", options.maxconn);
    if (options.slowstart_s > 0) text += fmt::format(" slowstart {}s", options.slowstart_s);
    text += "\n";
  }
  return text;
}

core::Result<std::string> RenderBackend(const std::vector<core::NodeSpec>& nodes,
                                        const BackendConfigOptions& options) {
  if (!IsWord(options.name) || !IsWord(options.balance)) {
    return core::InvalidArgumentError("haproxy backend: name and balance must be single words");
  }
  if (!IsWord(options.health_check_path) || !options.health_check_path.starts_with('/')) {
    return core::InvalidArgumentError("haproxy backend: health check path '" +
                                      options.health_check_path + "' must start with '/'");
  }
  EBB_ASSIGN_OR_RETURN(std::string servers, RenderServerLines(nodes, options.servers));
  return fmt::format(
      "backend {}\n"
      "  balance {}\n"
      "  option httpchk GET {}\n"
      "  http-check expect status 200\n"
      "{}",
      options.name, options.balance, options.health_check_path, servers);
}

}  // namespace ebb::lb::haproxy
