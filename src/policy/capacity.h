// Capacity arithmetic and wording shared by the policies: the share of the serving nodes'
// capacity a load uses, the number of nodes a load needs under the overload threshold, the
// counter of consecutive underload cycles, and the phrases every Decision.reason is built from so
// that all policies explain themselves the same way. Pure functions, no I/O.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "policy/policy.h"

namespace ebb::policy {

// rate / (nodes * node_capacity_rps): 0 when there is no load, +infinity when there is load and
// no node.
double LoadShare(double rate_rps, int nodes, double node_capacity_rps);

// The smallest n with LoadShare(rate, n, capacity) <= overload; 0 when there is no load. Saturates
// at a large value instead of overflowing. `node_capacity_rps` and `overload` must be positive.
int NodesNeeded(double rate_rps, double node_capacity_rps, double overload);

// Counts consecutive decisions under an underload threshold. Record() returns true on the
// `cycles`-th consecutive one, and the count restarts from zero, so a policy signs off at most one
// node every `cycles` decisions.
class UnderloadCounter {
 public:
  explicit UnderloadCounter(int cycles);
  bool Record(bool under);
  void Reset() { count_ = 0; }
  int count() const { return count_; }
  int cycles() const { return cycles_; }

 private:
  int cycles_;
  int count_ = 0;
};

// The largest count of the last `window` seconds, in O(1) amortised per sample: a deque in which
// every entry is larger than all later ones, so the front is the maximum.
class SlidingMax {
 public:
  // Adds `count` at `now` (time order) and returns the max over (now - window, now].
  int Add(core::Seconds now, int count, core::Seconds window);

 private:
  std::deque<std::pair<core::Seconds, int>> entries_;
};

// Nodes in rotation or on their way there: what the controller compares a target with.
inline int ServingOrBooting(const PolicyInput& input) {
  return input.serving_nodes + input.booting_nodes;
}

// The target bounded to [0, total_nodes].
int ClampTarget(int target, const PolicyInput& input);

// A decision that keeps the nodes serving or booting, when the input cannot support any other:
// no load sample yet, an invalid newest rate, or a node capacity that is not positive.
std::optional<Decision> HoldWithoutData(const PolicyInput& input);

// The first half of the threshold policies, on the newest load sample: without data, hold; over
// `overload`, scale up to the smallest count that brings the share back under it (at least one
// more node). Either resets the underload counter. nullopt: neither, go on.
std::optional<Decision> HoldOrScaleUpOnOverload(const PolicyInput& input, double overload,
                                                UnderloadCounter& underload);

// The decisions below carry `expected_rps`, the load the policy planned for, into
// Decision::expected_rps.
//
// The decision to grow to `need` nodes; `why` opens the reason ("load 45.2 rps = 75% of 3 nodes >
// overload 60%"). Nodes already booting count as coming, and nodes are never taken away while
// scaling up: target = max(need, serving + booting), clamped to total_nodes.
Decision ScaleUp(const PolicyInput& input, double expected_rps, int need, const std::string& why);

// The decision to sign off one node: target = serving + booting - 1, clamped at 0.
Decision SignOffOne(const PolicyInput& input, double expected_rps, const std::string& why);

// How many nodes a threshold policy signs off once its underload test fires.
enum class SignOffMode {
  kAll,  // as many as keep `planned_rps` within the overload threshold, in one decision
  kOne,  // one per decision, as Cherub does
};

// The decision to sign off: one node (kOne), or down to NodesNeeded(planned_rps, capacity,
// overload) but at least one node fewer, and never below one node (kAll). `planned_rps` is the load
// the rest must carry.
Decision SignOff(const PolicyInput& input, SignOffMode mode, double planned_rps, double overload,
                 const std::string& why);

// The decision to stay: target = serving + booting.
Decision Keep(const PolicyInput& input, double expected_rps, const std::string& why);

// Wording: "45.2 rps", "75%" / "60.5%", "+0.50 rps/s", "3 nodes" / "1 node", "3 cycles".
std::string FormatRate(double rate_rps);
std::string FormatShare(double share);
std::string FormatSlope(double slope_rps_per_s);
std::string FormatNodes(int nodes);
std::string FormatCycles(int cycles);  // "1 cycle", "3 cycles"
// "load 45.2 rps = 75% of 3 nodes", or "load 45.2 rps with no serving node"; a non-empty `note`
// goes after the rate: "load 45.2 rps (mean of 15 s) = 75% of 3 nodes".
std::string DescribeLoad(double rate_rps, const PolicyInput& input, std::string_view note = {});

}  // namespace ebb::policy
