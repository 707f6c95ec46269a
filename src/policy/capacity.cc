#include "policy/capacity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/check.h"

namespace ebb::policy {
namespace {

constexpr int kMaxNodes = 1 << 24;

// "3 serving + 1 booting" or "3".
std::string DescribeCount(const PolicyInput& input) {
  if (input.booting_nodes == 0) return fmt::format("{}", input.serving_nodes);
  return fmt::format("{} serving + {} booting", input.serving_nodes, input.booting_nodes);
}

}  // namespace

double LoadShare(double rate_rps, int nodes, double node_capacity_rps) {
  if (rate_rps <= 0) return 0;
  if (nodes <= 0) return std::numeric_limits<double>::infinity();
  return rate_rps / (nodes * node_capacity_rps);
}

int NodesNeeded(double rate_rps, double node_capacity_rps, double overload) {
  EBB_CHECK(node_capacity_rps > 0 && overload > 0);
  if (!(rate_rps > 0)) return 0;
  const double estimate = rate_rps / (node_capacity_rps * overload);
  if (!(estimate < kMaxNodes)) return kMaxNodes;
  // The estimate can be off by one either way in floating point; settle it with the very test
  // the policies apply (share <= overload).
  int n = std::max(1, static_cast<int>(std::floor(estimate)) - 1);
  while (LoadShare(rate_rps, n, node_capacity_rps) > overload) ++n;
  return n;
}

UnderloadCounter::UnderloadCounter(int cycles) : cycles_(cycles) { EBB_CHECK(cycles >= 1); }

bool UnderloadCounter::Record(bool under) {
  if (!under) {
    count_ = 0;
    return false;
  }
  if (++count_ < cycles_) return false;
  count_ = 0;
  return true;
}

int SlidingMax::Add(core::Seconds now, int count, core::Seconds window) {
  while (!entries_.empty() && entries_.back().second <= count) entries_.pop_back();
  entries_.emplace_back(now, count);
  while (entries_.size() > 1 && entries_.front().first <= now - window) entries_.pop_front();
  return entries_.front().second;
}

int ClampTarget(int target, const PolicyInput& input) {
  return std::clamp(target, 0, std::max(0, input.total_nodes));
}

std::optional<Decision> HoldWithoutData(const PolicyInput& input) {
  EBB_CHECK(input.history != nullptr);
  std::string why;
  if (input.history->empty()) {
    why = "no load sample yet";
  } else if (const double rate = input.history->Latest().rate_rps;
             !std::isfinite(rate) || rate < 0) {
    why = fmt::format("newest load sample {} rps is not a valid rate", rate);
  } else if (!(input.node_capacity_rps > 0) || !std::isfinite(input.node_capacity_rps)) {
    why = fmt::format("node capacity {} rps is not positive", input.node_capacity_rps);
  } else {
    return std::nullopt;
  }
  // Plan for the newest rate when it is usable at all.
  double expected_rps = 0;
  if (!input.history->empty()) {
    const double rate = input.history->Latest().rate_rps;
    if (std::isfinite(rate) && rate > 0) expected_rps = rate;
  }
  return Keep(input, expected_rps, why);
}

Decision ScaleUp(const PolicyInput& input, double expected_rps, int need, const std::string& why) {
  const int coming = ServingOrBooting(input);
  std::string reason = fmt::format("{}: need {}", why, need);
  if (input.booting_nodes > 0 && coming >= need) {
    reason += fmt::format(", {} already cover it", DescribeCount(input));
  } else if (input.booting_nodes > 0) {
    reason += fmt::format(" ({} so far)", DescribeCount(input));
  }
  const int wanted = std::max(need, coming);
  const int target = ClampTarget(wanted, input);
  if (target < wanted) reason += fmt::format(", capped at {}", FormatNodes(input.total_nodes));
  return Decision{
      .target_serving = target, .expected_rps = expected_rps, .reason = std::move(reason)};
}

Decision SignOffOne(const PolicyInput& input, double expected_rps, const std::string& why) {
  const int target = ClampTarget(ServingOrBooting(input) - 1, input);
  return Decision{
      .target_serving = target,
      .expected_rps = expected_rps,
      .reason = fmt::format("{}: sign off one node, {} -> {}", why, DescribeCount(input), target)};
}

Decision SignOff(const PolicyInput& input, SignOffMode mode, double planned_rps, double overload,
                 const std::string& why) {
  if (mode == SignOffMode::kOne) return SignOffOne(input, planned_rps, why);
  const int before = ServingOrBooting(input);
  const int need = NodesNeeded(planned_rps, input.node_capacity_rps, overload);
  // Never the last serving node, whatever the load: the guard would keep it anyway, and the
  // reason must say what happens.
  const int target = ClampTarget(std::max(1, std::min(need, before - 1)), input);
  const int gone = before - target;
  return Decision{.target_serving = target,
                  .expected_rps = planned_rps,
                  .reason = fmt::format("{}: sign off {}, {} -> {} (need {} at overload {})", why,
                                        FormatNodes(gone), DescribeCount(input), target, need,
                                        FormatShare(overload))};
}

Decision Keep(const PolicyInput& input, double expected_rps, const std::string& why) {
  const int target = ClampTarget(ServingOrBooting(input), input);
  std::string reason = fmt::format("{}: keep {}", why, DescribeCount(input));
  if (target != ServingOrBooting(input)) reason += fmt::format(", bounded to {}", target);
  return Decision{
      .target_serving = target, .expected_rps = expected_rps, .reason = std::move(reason)};
}

std::string FormatRate(double rate_rps) { return fmt::format("{:.1f} rps", rate_rps); }

std::string FormatShare(double share) {
  if (std::isinf(share)) return "inf%";
  const double percent = share * 100;
  if (std::abs(percent - std::round(percent)) < 0.05) return fmt::format("{:.0f}%", percent);
  return fmt::format("{:.1f}%", percent);
}

std::string FormatSlope(double slope_rps_per_s) {
  return fmt::format("{:+.2f} rps/s", slope_rps_per_s);
}

std::string FormatNodes(int nodes) {
  return fmt::format("{} {}", nodes, nodes == 1 ? "node" : "nodes");
}

std::string FormatCycles(int cycles) {
  return fmt::format("{} {}", cycles, cycles == 1 ? "cycle" : "cycles");
}

std::string DescribeLoad(double rate_rps, const PolicyInput& input, std::string_view note) {
  std::string rate = FormatRate(rate_rps);
  if (!note.empty()) rate += fmt::format(" ({})", note);
  if (input.serving_nodes <= 0) return fmt::format("load {} with no serving node", rate);
  return fmt::format("load {} = {} of {}", rate,
                     FormatShare(LoadShare(rate_rps, input.serving_nodes, input.node_capacity_rps)),
                     FormatNodes(input.serving_nodes));
}

std::optional<Decision> HoldOrScaleUpOnOverload(const PolicyInput& input, double overload,
                                                UnderloadCounter& underload) {
  if (auto hold = HoldWithoutData(input)) {
    underload.Reset();
    return hold;
  }
  const double rate = input.history->Latest().rate_rps;
  const int serving = input.serving_nodes;
  if (LoadShare(rate, serving, input.node_capacity_rps) <= overload) return std::nullopt;
  underload.Reset();
  const int need = std::max(NodesNeeded(rate, input.node_capacity_rps, overload), serving + 1);
  const std::string load = DescribeLoad(rate, input);
  // With no serving node any load is an overload; the share (infinite) says nothing.
  return ScaleUp(
      input, rate, need,
      serving == 0 ? load : fmt::format("{} > overload {}", load, FormatShare(overload)));
}

}  // namespace ebb::policy
