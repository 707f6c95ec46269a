// LoadBalancer: what the controller sees of and does to the balancer in front of the nodes. The
// words are HAProxy's (backend, server, ready/drain/maint) and the controller translates them into
// node states. Implementations: the HAProxy Runtime API adapter (daemon) and the simulated
// balancer (simulator). Called on the event loop's thread only. Poll errors are Unavailable when
// they may pass (a socket that did not answer) and leave `out` unspecified.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ebb::lb {

// HAProxy's administrative state of a server: `set server B/S state ready|drain|maint`.
enum class AdminState : std::uint8_t { kReady, kDrain, kMaint };
// The balancer's health check verdict. HAProxy checks no server in maint (its status is MAINT
// with no check result), so a server found in maint has an unknown health until it is checked
// (in drain or ready) or its power driver reports.
enum class Health : std::uint8_t { kUp, kDown, kUnknown };

// HAProxy's `balance` algorithms that ebb models and configures.
enum class Algorithm : std::uint8_t { kRoundRobin, kLeastConn, kFirst };

std::string_view ToString(AdminState state);
std::string_view ToString(Algorithm algorithm);
core::Result<Algorithm> ParseAlgorithm(std::string_view name);
std::string_view ToString(Health health);

struct ServerStats {
  std::string name;
  AdminState admin = AdminState::kReady;
  Health health = Health::kDown;
  int sessions = 0;  // requests being served now (scur)
  // False while the verdict is in transition: HAProxy's "UP 1/3" is a server still in rotation
  // whose checks have begun to fail, and a server just taken out of maint shows it before its
  // first check. A node that boots goes into rotation only on a settled UP.
  bool health_settled = true;
};

struct BackendStats {
  core::Seconds at = 0;              // when the balancer answered
  std::uint64_t requests_total = 0;  // cumulative requests that reached the backend
  int queued = 0;                    // requests waiting in the backend queue (qcur)
  std::vector<ServerStats> servers;  // in the controller's node order
};

class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // Fills `out`, reusing its storage.
  virtual core::Status Poll(BackendStats& out) = 0;
  virtual core::Status SetAdminState(std::string_view server, AdminState state) = 0;
};

}  // namespace ebb::lb
