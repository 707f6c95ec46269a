// Nodes: what a backend server is (NodeSpec, from the configuration) and the state the controller
// keeps for it (NodeState, after Cherub). Stable states: UNKNOWN, BUSY (in rotation, serving),
// ONLINE (in rotation, idle), OFFLINE (running, out of rotation), DOWN (powered off). Transitional
// states with deadlines: BOOTING, DRAINING, POWERING_OFF.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"

namespace ebb::core {

using NodeId = std::int32_t;

enum class NodeState : std::uint8_t {
  kUnknown,
  kBusy,
  kOnline,
  kOffline,
  kDown,
  kBooting,
  kDraining,
  kPoweringOff,
};

std::string_view ToString(NodeState state);

// In rotation: the balancer may send it new requests.
constexpr bool IsServing(NodeState s) { return s == NodeState::kBusy || s == NodeState::kOnline; }
// Drawing more than standby power.
constexpr bool IsPowered(NodeState s) { return s != NodeState::kDown; }

struct NodeSpec {
  std::string name;         // the balancer's server name
  std::string host;         // address, for power drivers and the balancer's server line
  int port = 0;             // the service port (the process driver's {port}; 0: none)
  std::string mac;          // for Wake-on-LAN ("aa:bb:cc:dd:ee:ff"; empty: none)
  std::string bmc;          // the BMC's address, for IPMI templates (empty: none)
  double capacity_rps = 0;  // requests/s the node serves within the SLA
  Seconds boot_s = 0;       // power-on to health check UP
  Seconds shutdown_s = 0;   // power-off command to no power drawn
};

}  // namespace ebb::core
