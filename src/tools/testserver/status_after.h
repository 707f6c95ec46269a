// Scripted failures for `ebb testserver --status-after WHEN:CODE[:SCOPE]` (repeatable), to test
// how a balancer and the controller handle a node that goes bad, and comes back:
//   WHEN   N      after the first N application requests (N = 0: from the start)
//          Ts     T seconds after the server started listening ("30s", "1.5s", "500ms")
//   CODE   the status to answer instead, 200..599; 200 restores normal service
//   SCOPE  all (default): application requests and /health;  app: application requests only;
//          health: /health only (the node fails its checks but still serves what it gets)
// Among the rules that have triggered, the last one given on the command line that covers the
// request wins, so `--status-after 10s:503 --status-after 20s:200` fails for ten seconds.
// An application request answered with a scripted non-200 code is answered at once: it takes no
// worker and no service time. Pure code; the server's loop thread evaluates it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::testserver {

enum class StatusScope { kAll, kApp, kHealth };
enum class StatusTrigger { kAfterRequests, kAfterSeconds };
enum class RequestKind { kApp, kHealth };

struct StatusAfter {
  StatusTrigger trigger = StatusTrigger::kAfterRequests;
  std::uint64_t after_requests = 0;
  double after_s = 0;
  int code = 503;
  StatusScope scope = StatusScope::kAll;
};

core::Result<StatusAfter> ParseStatusAfter(std::string_view spec);

// The status a request must get instead of normal service, if any. `app_requests_before` counts
// the application requests that arrived before this one; `elapsed_s` is the time since listening.
// nullopt and 200 both mean "serve normally".
std::optional<int> ScriptedStatus(std::span<const StatusAfter> rules, RequestKind kind,
                                  std::uint64_t app_requests_before, double elapsed_s);

}  // namespace ebb::testserver
