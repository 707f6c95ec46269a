// DelayedOffPolicy ("delayed-off", after AutoScale: Gandhi, Harchol-Balter, Raghunathan, Kozuch,
// ACM TOCS 2012): nodes are sized from the load per server, brought up at once when more are
// needed, and a node that has not been needed for `timer_s` is switched off. The default timer
// is the break-even time of a power cycle (its energy above off, over idle minus off power): a
// node idle for less than that is cheaper kept on, and waiting exactly that long makes the
// policy 2-competitive on energy (the ski-rental argument). The load per server is the mean of
// the last `mean_s` seconds against `overload` of a node's capacity.
#pragma once

#include <string_view>

#include "core/time.h"
#include "policy/capacity.h"
#include "policy/policy.h"

namespace ebb::policy {

struct DelayedOffOptions {
  double overload = 0.6;       // in (0, 1]: the share of a node's capacity it is loaded to
  core::Seconds mean_s = 15;   // > 0: window of the current load
  core::Seconds timer_s = -1;  // >= 0, or -1: the break-even time
};

class DelayedOffPolicy final : public Policy {
 public:
  explicit DelayedOffPolicy(DelayedOffOptions options);

  std::string_view Name() const override { return "delayed-off"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  DelayedOffOptions options_;
  SlidingMax recent_needs_;  // over the timer
};

}  // namespace ebb::policy
