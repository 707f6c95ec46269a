// PowerDriver: switches nodes on and off. Requests are asynchronous: Start() returns at once and
// the outcome arrives later through TakeCompletions(), which the controller drains once per tick.
// A completed kOn means the power-on command succeeded, not that the node is serving: the
// controller waits for the balancer's health check. A completed kOff means the node no longer
// draws power (a driver that cannot know this reports when its command finished). Called on the
// event loop's thread only. Implementations: command templates (IPMI, ssh, cloud CLIs), Wake-on-
// LAN, local processes (daemon) and the simulated nodes (simulator).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/node.h"
#include "core/status.h"

namespace ebb::power {

enum class PowerAction : std::uint8_t { kOn, kOff };

std::string_view ToString(PowerAction action);

struct PowerCompletion {
  core::NodeId node = 0;
  PowerAction action = PowerAction::kOn;
  core::Status status;
};

class PowerDriver {
 public:
  virtual ~PowerDriver() = default;
  virtual void Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) = 0;
  // Appends the completions since the last call to `out`.
  virtual void TakeCompletions(std::vector<PowerCompletion>& out) = 0;
};

}  // namespace ebb::power
