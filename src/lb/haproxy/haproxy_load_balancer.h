// HaproxyLoadBalancer: lb::LoadBalancer for ONE HAProxy backend, served by one or more HAProxy
// instances that must hold the same view (an active-active or keepalived pair, each with its own
// Runtime API socket). Owned by the daemon; called on the event loop's thread only; every call
// blocks for at most the Runtime API timeouts per instance.
//
// Poll() asks every instance for `show stat <backend> 6 -1` (the backend row and its servers;
// HAProxy 2.6 takes the backend's name there) and, only when a configured server's status hides
// its admin state (DOWN, NOLB), `show servers state <backend>`. It merges:
//   requests_total  sum over instances of the BACKEND row's stot: every request that reached the
//                   backend, including those answered 503 from the queue or for lack of a
//                   server, which the sum of the servers' stot misses and which is demand all the
//                   same. It is cumulative per HAProxy process: a restarted instance starts again
//                   from 0, and the sum then drops.
//   queued          sum of qcur over the backend row and its servers (the backend's queue and the
//                   servers' own queues) over all instances.
//   sessions        sum of each server's scur over all instances.
//   servers         in the order given at construction.
// Poll fails as a whole (the controller never acts on partial data): Unavailable when an instance
// cannot be reached, NotFound when the backend or a configured server is missing from an
// instance (naming both), InvalidArgument when a row the adapter needs is corrupted.
//
// Instances that disagree: health may differ for a moment (each runs its own checks); admin
// should not. Each poll records every server whose admin state or health differs between
// instances as a Divergence (TakeDivergences(), divergences_total()). Repair is deliberately
// narrow: when ebb last commanded a state for that server (SetAdminState, whatever its outcome),
// that state is re-sent to each instance that differs; when ebb never commanded one, nothing is
// sent, because no state is safe by default (maint on one side may be an operator's work, ready on
// the other may be serving traffic). The merged view is then conservative against powering off a
// server that still receives traffic: admin is the commanded state when the repair succeeded,
// otherwise the least restrictive state seen (ready < drain < maint), so the controller treats
// the server as in rotation while any instance routes to it; health is UP only when every
// instance sees it UP, DOWN when any sees it DOWN, UNKNOWN otherwise.
//
// SetAdminState() sends `set server <backend>/<server> state ready|drain|maint` to every instance,
// tries them all, and returns the first error (naming the instance) if any failed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "lb/haproxy/runtime_api_client.h"
#include "lb/haproxy/servers_state_parser.h"
#include "lb/haproxy/show_stat_parser.h"
#include "lb/load_balancer.h"

namespace ebb::lb::haproxy {

struct HaproxyLoadBalancerOptions {
  std::vector<std::string> addresses;  // one Runtime API address per HAProxy instance
  std::string backend;
  std::vector<std::string> servers;  // HAProxy server names, in the controller's node order
  RuntimeApiOptions api;
};

// One server whose admin state or health differed between instances in one poll.
struct Divergence {
  std::string server;
  std::vector<AdminState> admin;  // per instance, in the order of `addresses`, before repair
  std::vector<Health> health;     // per instance
  bool admin_differs = false;
  bool health_differs = false;
  std::optional<AdminState> commanded;  // what ebb last set; nullopt: report only
  std::vector<std::string> repaired;    // addresses the commanded state was re-sent to
  core::Status repair_status;           // the first failed repair, else OK
  // "web3: admin ready at /a.sock, maint at /b.sock; health UP, UP; re-sent ready to /b.sock"
  std::string ToString(const std::vector<std::string>& addresses) const;
};

class HaproxyLoadBalancer final : public LoadBalancer {
 public:
  // InvalidArgument for an empty or duplicated server list, no address, a bad address, or a
  // name HAProxy would not take (empty, or with a space or '/').
  static core::Result<std::unique_ptr<HaproxyLoadBalancer>> Create(
      const core::Clock& clock, HaproxyLoadBalancerOptions options);

  HaproxyLoadBalancer(const HaproxyLoadBalancer&) = delete;
  HaproxyLoadBalancer& operator=(const HaproxyLoadBalancer&) = delete;

  core::Status Poll(BackendStats& out) override;
  core::Status SetAdminState(std::string_view server, AdminState state) override;

  // For start-up: every instance answers and has the backend and every configured server.
  // Unavailable for an unreachable instance; NotFound listing every missing server of every
  // instance ("node web7 is in the config but not in HAProxy backend web at /run/haproxy/...").
  core::Status CheckServersExist();

  // The divergences found since the last call, oldest first; at most the last 1,024 are kept.
  std::vector<Divergence> TakeDivergences();
  std::uint64_t divergences_total() const { return divergences_total_; }
  std::uint64_t repairs_total() const { return repairs_total_; }

  const HaproxyLoadBalancerOptions& options() const { return options_; }

 private:
  // What one instance said about the backend in one poll.
  struct InstanceView {
    std::uint64_t backend_stot = 0;
    std::uint64_t queued = 0;
    std::vector<bool> seen;  // per configured server
    std::vector<std::optional<AdminState>> admin;
    std::vector<Health> health;
    std::vector<bool> transitional;
    std::vector<std::uint64_t> sessions;
  };

  HaproxyLoadBalancer(const core::Clock& clock, HaproxyLoadBalancerOptions options,
                      std::vector<RuntimeApiClient> clients);

  std::string ShowStatCommand() const;
  // Reads one instance into `view`; missing configured servers are listed in `missing`.
  core::Status ReadInstance(std::size_t instance, InstanceView& view,
                            std::vector<std::size_t>& missing);
  core::Status ResolveHiddenAdminStates(std::size_t instance, InstanceView& view);
  core::Status SendState(std::size_t instance, std::string_view server, AdminState state);
  void MergeServer(std::size_t server, ServerStats& out);

  const core::Clock& clock_;
  HaproxyLoadBalancerOptions options_;
  std::vector<RuntimeApiClient> clients_;
  std::unordered_map<std::string_view, std::size_t> server_index_;  // views into options_
  std::size_t next_server_ = 0;  // where the next `show stat` row's server probably is
  std::vector<std::optional<AdminState>> commanded_;  // per configured server
  std::vector<InstanceView> views_;                   // per instance
  ShowStatTable table_;
  std::vector<ServerAdminRow> admin_rows_;
  std::vector<Divergence> divergences_;
  std::uint64_t divergences_total_ = 0;
  std::uint64_t repairs_total_ = 0;
};

}  // namespace ebb::lb::haproxy
