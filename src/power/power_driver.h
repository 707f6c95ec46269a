// PowerDriver: switches nodes on and off. Requests are asynchronous: Start() returns at once and
// the outcome arrives later through TakeCompletions(), which the controller drains once per tick.
// A completed kOn means the power-on command succeeded, not that the node is serving: the
// controller waits for the balancer's health check. A completed kOff means the node no longer
// draws power (a driver that cannot know this reports when its command finished). Called on the
// event loop's thread only; Start() and TakeCompletions() never block on a power command.
// QueryStatus() is the exception: a synchronous probe, bounded by a timeout, that the daemon
// calls at start-up to adopt the cluster as it is. Implementations: command templates (IPMI, ssh,
// cloud CLIs), Wake-on-LAN, local processes and dry run (daemon, library ebb_power_drivers) and
// the simulated nodes (simulator).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.h"
#include "core/status.h"

namespace ebb::power {

enum class PowerAction : std::uint8_t { kOn, kOff };

std::string_view ToString(PowerAction action);

// What a start-up probe found. kUnknown: the driver cannot tell (no status command, a timeout,
// an unexpected answer); the balancer's health check decides.
enum class PowerStatus : std::uint8_t { kOn, kOff, kUnknown };

std::string_view ToString(PowerStatus status);

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

  // Synchronous, bounded by the driver's timeout; for start-up only, never from a tick.
  virtual PowerStatus QueryStatus(core::NodeId /*node*/, const core::NodeSpec& /*spec*/) {
    return PowerStatus::kUnknown;
  }
  // What Start() would do, for logs and dry runs: "on web1" unless the driver knows better
  // (the command line it would run).
  virtual std::string DescribeCommand(const core::NodeSpec& spec, PowerAction action) const;
};

}  // namespace ebb::power
