// DecisionRecord: what the controller decided in one tick and why. The same record goes to the
// daemon's log, its store and /metrics, and to the simulator's decision log, so a decision can be
// read the same way whichever world made it.
#pragma once

#include <string>
#include <vector>

#include "core/time.h"

namespace ebb::control {

struct DecisionRecord {
  core::Seconds at = 0;
  std::string policy;
  double rate_rps = 0;      // measured arrival rate
  double expected_rps = 0;  // the load the policy planned for
  int serving = 0;          // before acting
  int booting = 0;
  int policy_target = 0;             // what the policy asked for
  int target = 0;                    // after the guard
  std::vector<std::string> actions;  // "boot web3", "drain web7", "ready web2"
  std::string reason;                // the policy's reason, then the guard's if it changed anything
};

// Receives every record worth keeping: one per tick that acted or changed its mind.
class DecisionSink {
 public:
  virtual ~DecisionSink() = default;
  virtual void Record(const DecisionRecord& record) = 0;
};

}  // namespace ebb::control
