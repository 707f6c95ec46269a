// Guard: the safety bounds between a policy's wish and the controller's acts. It is where the
// operator's limits live: min/max serving nodes, cooldowns per direction, how many transitions
// one tick may start, and the rule that nothing is taken out of rotation on stale data. Pure:
// the controller passes it the time and what it knows.
#pragma once

#include <limits>
#include <string>

#include "core/time.h"

namespace ebb::control {

struct GuardOptions {
  int min_serving = 1;  // never fewer in rotation (at least 1: the last healthy node stays)
  int max_serving = std::numeric_limits<int>::max();
  core::Seconds up_cooldown_s = 0;      // after a scale-up, no further scale-up for this long
  core::Seconds down_cooldown_s = 120;  // after any scale action, no scale-down for this long
  // Boots + drains + readies started in one tick: the larger of the absolute count and the share
  // of the cluster, so that a big cluster is not scaled a few nodes at a time.
  int max_transitions_per_tick = 8;
  double max_transitions_share = 0.1;
  core::Seconds stale_after_s = 5;  // balancer data older than this blocks scale-down
};

struct GuardInput {
  core::Seconds now = 0;
  int policy_target = 0;
  int serving = 0;  // in rotation now
  int coming = 0;   // booting, will join
  int total_nodes = 0;
  core::Seconds data_age_s = 0;  // since the last successful balancer poll
  core::Seconds last_up_at = -std::numeric_limits<double>::infinity();
  core::Seconds last_any_at = -std::numeric_limits<double>::infinity();
};

struct GuardVerdict {
  int target = 0;    // bounded target serving count
  int add = 0;       // nodes to bring into rotation (readies + boots)
  int remove = 0;    // nodes to drain
  std::string note;  // why the guard changed the policy's wish; empty when it did not
};

// The transitions one tick may start on a cluster of `total_nodes`.
int MaxTransitions(const GuardOptions& options, int total_nodes);

GuardVerdict ApplyGuard(const GuardOptions& options, const GuardInput& input);

}  // namespace ebb::control
