#include "policy/lcp_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "core/check.h"
#include "policy/capacity.h"
#include "queueing/erlang_c.h"

namespace ebb::policy {
namespace {

// The cost of a slot that cannot serve its load: larger than any schedule that can, yet finite,
// so that the program still orders the impossible choices (more nodes is less impossible).
constexpr double kUnstable = 1e12;

}  // namespace

SwitchingCostModel::SwitchingCostModel(int max_nodes, const ServiceModel& model,
                                       double service_rate, core::Seconds slot_s, double beta)
    : max_nodes_(max_nodes),
      model_(model),
      service_rate_(service_rate),
      slot_s_(slot_s),
      beta_(beta) {
  EBB_CHECK(max_nodes >= 0 && service_rate > 0 && slot_s > 0 && beta >= 0);
}

void SwitchingCostModel::SlotCosts(double rate_rps, std::vector<double>& out) {
  const int slots = std::max(1, model_.slots_per_node);
  const double offered = std::max(0.0, rate_rps) / service_rate_;
  queueing::ErlangCUpTo(max_nodes_ * slots, offered, erlang_c_);
  out.resize(static_cast<std::size_t>(max_nodes_) + 1);
  for (int x = 0; x <= max_nodes_; ++x) {
    const int servers = x * slots;
    const double jobs =
        queueing::MeanJobs(servers, offered, erlang_c_[static_cast<std::size_t>(servers)]);
    const double per_s = std::isfinite(jobs)
                             ? model_.cost_c2 * x + model_.cost_c1 * jobs
                             : kUnstable * (1 + offered - servers) + model_.cost_c2 * x;
    out[static_cast<std::size_t>(x)] = per_s * slot_s_;
  }
}

PrefixOptimum::PrefixOptimum(int max_nodes, double beta, Charge charge)
    : beta_(beta), charge_(charge), cost_(static_cast<std::size_t>(max_nodes) + 1) {
  // From 0 nodes: reaching x costs beta * x when powering up is charged, nothing otherwise.
  for (std::size_t x = 0; x < cost_.size(); ++x) {
    cost_[x] = charge == Charge::kUp ? beta * static_cast<double>(x) : 0;
  }
}

void PrefixOptimum::Add(const std::vector<double>& slot_costs) {
  const std::size_t n = cost_.size();
  EBB_CHECK(slot_costs.size() == n);
  scratch_.resize(n);
  // best(x) = min over the previous count y of cost(y) + the charged move from y to x. Moves in
  // the charged direction cost beta per node, in the other direction nothing: two sweeps.
  const double up = charge_ == Charge::kUp ? beta_ : 0;
  const double down = charge_ == Charge::kDown ? beta_ : 0;
  double from_below = std::numeric_limits<double>::infinity();  // min over y <= x of cost - up*y
  for (std::size_t x = 0; x < n; ++x) {
    from_below = std::min(from_below, cost_[x] - up * static_cast<double>(x));
    scratch_[x] = from_below + up * static_cast<double>(x);
  }
  double from_above = std::numeric_limits<double>::infinity();  // min over y >= x of cost+down*y
  for (std::size_t i = n; i-- > 0;) {
    from_above = std::min(from_above, cost_[i] + down * static_cast<double>(i));
    scratch_[i] = std::min(scratch_[i], from_above - down * static_cast<double>(i));
  }
  double low = std::numeric_limits<double>::infinity();
  for (std::size_t x = 0; x < n; ++x) {
    cost_[x] = scratch_[x] + slot_costs[x];
    low = std::min(low, cost_[x]);
  }
  // Only differences between counts matter to the argmins; keep the numbers small.
  for (double& c : cost_) c -= low;
  offset_ += low;
}

double PrefixOptimum::Min() const { return offset_; }

// Ties within rounding of the costs that separate neighbouring counts (a power-up's beta), not
// of the total so far: that grows without bound and would make every count a tie.
double PrefixOptimum::Tolerance() const { return 1e-9 * std::max(1.0, beta_); }

int PrefixOptimum::LowestArgmin() const {
  const double low = *std::min_element(cost_.begin(), cost_.end());
  for (std::size_t x = 0; x < cost_.size(); ++x) {
    if (cost_[x] <= low + Tolerance()) return static_cast<int>(x);
  }
  return 0;
}

int PrefixOptimum::HighestArgmin() const {
  const double low = *std::min_element(cost_.begin(), cost_.end());
  for (std::size_t x = cost_.size(); x-- > 0;) {
    if (cost_[x] <= low + Tolerance()) return static_cast<int>(x);
  }
  return 0;
}

double OfflineOptimalCost(SwitchingCostModel& model, const std::vector<double>& rates) {
  PrefixOptimum optimum(model.max_nodes(), model.beta(), PrefixOptimum::Charge::kUp);
  std::vector<double> costs;
  for (double rate : rates) {
    model.SlotCosts(rate, costs);
    optimum.Add(costs);
  }
  return optimum.Min();
}

double ScheduleCost(SwitchingCostModel& model, const std::vector<double>& rates,
                    const std::vector<int>& nodes) {
  EBB_CHECK(rates.size() == nodes.size());
  std::vector<double> costs;
  double total = 0;
  int before = 0;
  for (std::size_t t = 0; t < rates.size(); ++t) {
    model.SlotCosts(rates[t], costs);
    total +=
        costs[static_cast<std::size_t>(nodes[t])] + model.beta() * std::max(0, nodes[t] - before);
    before = nodes[t];
  }
  return total;
}

struct LcpPolicy::State {
  SwitchingCostModel model;
  PrefixOptimum lower;  // up-charged: its lowest argmin is x^L
  PrefixOptimum upper;  // down-charged: its highest argmin is x^U
  std::vector<double> costs;
};

Decision LcpPolicy::Decide(const PolicyInput& input) {
  if (auto hold = HoldWithoutData(input)) return *std::move(hold);
  const ServiceModel& model = input.model;
  const double service_time = model.ServiceTime(input.node_capacity_rps);
  if (!(service_time > 0) || input.total_nodes <= 0) {
    return Keep(input, 0, "no service time to plan with (give policy.service_time_s)");
  }
  // The program evaluates every count's M/M/c each tick: bound its servers.
  constexpr std::int64_t kMaxServers = 4'000'000;
  if (static_cast<std::int64_t>(input.total_nodes) * std::max(1, model.slots_per_node) >
      kMaxServers) {
    return Keep(input, 0,
                fmt::format("more than {} slots (nodes x slots per node): too many for lcp's "
                            "program; use sla-sizing",
                            kMaxServers));
  }
  const double break_even = model.BreakEven(input.boot_s);
  const double beta = std::isfinite(break_even) ? model.cost_c2 * break_even : 0;
  if (!state_) {
    state_ = std::make_shared<State>(State{
        .model =
            SwitchingCostModel(input.total_nodes, model, 1 / service_time, input.interval_s, beta),
        .lower = PrefixOptimum(input.total_nodes, beta, PrefixOptimum::Charge::kUp),
        .upper = PrefixOptimum(input.total_nodes, beta, PrefixOptimum::Charge::kDown),
        .costs = {}});
  }
  const double rate = input.history->Latest().rate_rps;
  state_->model.SlotCosts(rate, state_->costs);
  state_->lower.Add(state_->costs);
  state_->upper.Add(state_->costs);
  const int low = state_->lower.LowestArgmin();
  const int high = std::max(low, state_->upper.HighestArgmin());
  const int coming = ServingOrBooting(input);
  const int target = ClampTarget(std::clamp(coming, low, high), input);
  const std::string why = fmt::format(
      "load {}: lazy bounds [{}, {}] (cost c1 {:g} per request, c2 {:g} per node, {:.0f} per "
      "power-up)",
      FormatRate(rate), low, high, model.cost_c1, model.cost_c2, beta);
  if (target > coming) return ScaleUp(input, rate, target, why);
  if (target < coming) {
    return Decision{
        .target_serving = target,
        .expected_rps = rate,
        .reason = fmt::format("{}: above the upper bound, {} -> {}", why, coming, target)};
  }
  return Keep(input, rate, why);
}

}  // namespace ebb::policy
