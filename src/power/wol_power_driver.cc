#include "power/wol_power_driver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "power/command_power_driver.h"

namespace ebb::power {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

core::Result<MacAddress> ParseMac(std::string_view text) {
  // Six pairs of hex digits and five separators, all ':' or all '-'.
  if (text.size() != 17) {
    return core::InvalidArgumentError(
        fmt::format("'{}' is not a MAC address (want aa:bb:cc:dd:ee:ff)", text));
  }
  const char separator = text[2];
  if (separator != ':' && separator != '-') {
    return core::InvalidArgumentError(
        fmt::format("'{}' is not a MAC address (separators are ':' or '-')", text));
  }
  MacAddress mac{};
  for (std::size_t i = 0; i < 6; ++i) {
    const std::size_t at = i * 3;
    const int hi = HexValue(text[at]);
    const int lo = HexValue(text[at + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && text[at + 2] != separator)) {
      return core::InvalidArgumentError(
          fmt::format("'{}' is not a MAC address (at character {})", text, at + 1));
    }
    mac[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return mac;
}

std::array<std::uint8_t, 102> MagicPacket(const MacAddress& mac) {
  std::array<std::uint8_t, 102> packet{};
  for (std::size_t i = 0; i < 6; ++i) packet[i] = 0xFF;
  for (std::size_t r = 0; r < 16; ++r) {
    for (std::size_t i = 0; i < 6; ++i) packet[6 + r * 6 + i] = mac[i];
  }
  return packet;
}

core::Status ValidateWolTarget(const std::string& address, int port) {
  in_addr parsed{};
  if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
    return core::InvalidArgumentError(fmt::format(
        "power.wol_address: '{}' is not an IPv4 address (the LAN's broadcast address, e.g. "
        "192.168.1.255 or 255.255.255.255)",
        address));
  }
  if (port < 1 || port > 65535) {
    return core::InvalidArgumentError(
        fmt::format("power.wol_port: {} is not a UDP port (1-65535; usually 9)", port));
  }
  return core::Status::Ok();
}

core::Status SendMagicPacket(const MacAddress& mac, const std::string& address, int port) {
  EBB_RETURN_IF_ERROR(ValidateWolTarget(address, port));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &to.sin_addr);

  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    return core::UnavailableError(fmt::format("wake-on-lan: socket: {}", std::strerror(errno)));
  }
  const int on = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) != 0) {
    const int error = errno;
    close(fd);
    return core::UnavailableError(
        fmt::format("wake-on-lan: SO_BROADCAST: {}", std::strerror(error)));
  }
  const std::array<std::uint8_t, 102> packet = MagicPacket(mac);
  const ssize_t sent = sendto(fd, packet.data(), packet.size(), MSG_DONTWAIT,
                              reinterpret_cast<const sockaddr*>(&to), sizeof(to));
  const int error = errno;
  close(fd);
  if (sent != static_cast<ssize_t>(packet.size())) {
    return core::UnavailableError(fmt::format("wake-on-lan: sending to {}:{}: {}", address, port,
                                              sent < 0 ? std::strerror(error) : "short write"));
  }
  return core::Status::Ok();
}

core::Result<MacAddress> NodeMac(const core::NodeSpec& spec) {
  if (spec.mac.empty()) {
    return core::InvalidArgumentError(
        fmt::format("node {}: no mac, needed for Wake-on-LAN", spec.name));
  }
  core::Result<MacAddress> mac = ParseMac(spec.mac);
  if (!mac.ok()) return mac.status().WithContext(fmt::format("node {}: mac", spec.name));
  return mac;
}

WolPowerDriver::WolPowerDriver(WolPowerDriverOptions options, const core::Clock& clock)
    : options_(std::move(options)),
      queue_(clock, {.timeout_s = options_.timeout_s, .kill_grace_s = options_.kill_grace_s}) {}

void WolPowerDriver::Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) {
  if (action == PowerAction::kOn) {
    core::Result<MacAddress> mac = NodeMac(spec);
    if (!mac.ok()) {
      queue_.Complete(node, action, mac.status());
      return;
    }
    queue_.Submit({.node = node,
                   .node_name = spec.name,
                   .action = action,
                   .instant = [mac = *mac, address = options_.address, port = options_.port] {
                     return SendMagicPacket(mac, address, port);
                   }});
    return;
  }
  core::Result<std::vector<std::string>> argv = options_.off.Expand(spec);
  if (!argv.ok()) {
    queue_.Complete(node, action, argv.status());
    return;
  }
  queue_.Submit(
      {.node = node, .node_name = spec.name, .action = action, .argv = std::move(argv).value()});
}

void WolPowerDriver::TakeCompletions(std::vector<PowerCompletion>& out) { queue_.Poll(out); }

PowerStatus WolPowerDriver::QueryStatus(core::NodeId /*node*/, const core::NodeSpec& spec) {
  if (!options_.status) return PowerStatus::kUnknown;
  return RunStatusCommand(*options_.status, spec, options_.timeout_s, options_.kill_grace_s);
}

std::string WolPowerDriver::DescribeCommand(const core::NodeSpec& spec, PowerAction action) const {
  if (action == PowerAction::kOn) {
    return fmt::format("wake-on-lan {} via {}:{}", spec.mac, options_.address, options_.port);
  }
  core::Result<std::vector<std::string>> argv = options_.off.Expand(spec);
  if (!argv.ok()) return argv.status().message();
  return QuoteArgv(*argv);
}

}  // namespace ebb::power
