// LcpPolicy ("lcp"): Lazy Capacity Provisioning (Lin, Wierman, Andrew, Thereska, "Dynamic
// right-sizing for power-proportional data centers", INFOCOM 2011), the online algorithm that is
// 3-competitive against the offline optimum of the same cost model.
//
// The cost model (SwitchingCostModel): in every slot of `interval_s` seconds, x powered nodes cost
//   g_t(x) = (c2 * x + c1 * L(x, lambda_t)) * interval_s
// with L the mean number of requests in an M/M/(x * slots) system (Mitrani's C = c1 L + c2 S), and
// every node powered up costs beta = c2 * the break-even time of a power cycle (the idle
// node-seconds a cycle is worth). LCP keeps x_t = x_{t-1} unless that leaves [x^L_t, x^U_t], then
// moves to the nearer bound: x^L_t is where the cheapest schedule for the slots so far ends when
// powering up is charged, x^U_t where it ends when powering down is charged. Both come from a
// forward dynamic program over x = 0..N, O(N * slots) per decision, with memory O(N).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "policy/policy.h"

namespace ebb::policy {

class SwitchingCostModel {
 public:
  SwitchingCostModel(int max_nodes, const ServiceModel& model, double service_rate,
                     core::Seconds slot_s, double beta);

  // g_t(x) for x = 0..max_nodes at arrival rate `rate_rps`, into `out` (size max_nodes + 1).
  void SlotCosts(double rate_rps, std::vector<double>& out);
  double beta() const { return beta_; }
  int max_nodes() const { return max_nodes_; }

 private:
  int max_nodes_;
  ServiceModel model_;
  double service_rate_;
  core::Seconds slot_s_;
  double beta_;
  std::vector<double> erlang_c_;
};

// The forward dynamic program of the offline problem: after each slot, the cost of the cheapest
// schedule for the slots so far that ends at x nodes, starting from 0 nodes. With the switching
// cost charged on the way up this is the offline optimum's; charged on the way down it gives
// LCP's upper bound (the two differ by beta times the final count, a constant per x).
class PrefixOptimum {
 public:
  enum class Charge { kUp, kDown };
  PrefixOptimum(int max_nodes, double beta, Charge charge);

  void Add(const std::vector<double>& slot_costs);
  double Min() const;  // the cheapest cost so far (with the offset removed kept aside)
  int LowestArgmin() const;
  int HighestArgmin() const;

 private:
  double Tolerance() const;
  double beta_;
  Charge charge_;
  std::vector<double> cost_;  // relative to offset_
  std::vector<double> scratch_;
  double offset_ = 0;
};

// The offline optimum of the model for a whole sequence of per-slot rates, and the cost of a
// given schedule in the same model: for LCP's competitive ratio.
double OfflineOptimalCost(SwitchingCostModel& model, const std::vector<double>& rates);
double ScheduleCost(SwitchingCostModel& model, const std::vector<double>& rates,
                    const std::vector<int>& nodes);

class LcpPolicy final : public Policy {
 public:
  LcpPolicy() = default;

  std::string_view Name() const override { return "lcp"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  struct State;
  std::shared_ptr<State> state_;  // built on the first decision, when the cluster is known
};

}  // namespace ebb::policy
