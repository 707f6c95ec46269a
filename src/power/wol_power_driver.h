// WolPowerDriver: powers nodes on with a Wake-on-LAN magic packet sent natively (6 x 0xFF, then
// the node's MAC 16 times: 102 bytes in one UDP datagram with SO_BROADCAST, by default to
// 255.255.255.255:9) and off with a command template, like CommandPowerDriver's. The completion
// of "on" is OK once the packet left (a magic packet has no answer: the controller then waits for
// the health check); Unavailable when it could not be sent; InvalidArgument when the node's MAC
// is missing or malformed. Packets and commands go through one queue per node, so an "on" sent
// while "off" runs waits for it. QueryStatus() runs the optional status template (exit 0 on,
// 3 off, else unknown; see command_power_driver.h). Event loop thread only; sending never blocks
// (MSG_DONTWAIT).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "power/command_template.h"
#include "power/node_command_queue.h"
#include "power/power_driver.h"

namespace ebb::power {

using MacAddress = std::array<std::uint8_t, 6>;

// "aa:bb:cc:dd:ee:ff" or "aa-bb-cc-dd-ee-ff", hex digits in either case.
core::Result<MacAddress> ParseMac(std::string_view text);

std::array<std::uint8_t, 102> MagicPacket(const MacAddress& mac);

// One datagram to `address` (IPv4 dotted quad) : `port`, with SO_BROADCAST. Unavailable when the
// socket or sendto fails.
core::Status SendMagicPacket(const MacAddress& mac, const std::string& address, int port);

struct WolPowerDriverOptions {
  std::string address = "255.255.255.255";  // the LAN's broadcast address, or a directed one
  int port = 9;                             // discard; 7 is the other customary port
  CommandTemplate off;
  std::optional<CommandTemplate> status;
  core::Seconds timeout_s = 30;  // per off/status command
  core::Seconds kill_grace_s = 5;
};

// InvalidArgument naming the key ("power.wol_address") for an address or port that cannot work.
core::Status ValidateWolTarget(const std::string& address, int port);

class WolPowerDriver final : public PowerDriver {
 public:
  WolPowerDriver(WolPowerDriverOptions options, const core::Clock& clock);

  void Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) override;
  void TakeCompletions(std::vector<PowerCompletion>& out) override;
  PowerStatus QueryStatus(core::NodeId node, const core::NodeSpec& spec) override;
  std::string DescribeCommand(const core::NodeSpec& spec, PowerAction action) const override;

 private:
  WolPowerDriverOptions options_;
  NodeCommandQueue queue_;
};

// The node's MAC, or InvalidArgument naming the node ("node web1: mac 'zz': ...").
core::Result<MacAddress> NodeMac(const core::NodeSpec& spec);

}  // namespace ebb::power
