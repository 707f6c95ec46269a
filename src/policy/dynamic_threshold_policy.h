// DynamicThresholdPolicy ("dynamic-threshold"): only the overload threshold is configured; the
// underload threshold follows from it. Signing one node off from n serving must not push the
// remaining n - 1 over `overload`, so the share must be under overload * (n - 1) / n; after
// `underload_cycles` consecutive decisions under it, nodes are signed off: as many as keep the
// rest within `overload`, or one (SignOffMode::kOne, as Cherub did). The last serving node
// is never signed off (its threshold is 0). Scales up as ThresholdPolicy does.
#pragma once

#include <string_view>

#include "policy/capacity.h"
#include "policy/policy.h"

namespace ebb::policy {

struct DynamicThresholdOptions {
  double overload = 0.6;     // in (0, 1]
  int underload_cycles = 3;  // >= 1
  SignOffMode sign_off = SignOffMode::kAll;
};

// overload * (n - 1) / n: the share under which n serving nodes can become n - 1 without the
// rest exceeding `overload`. 0 for n <= 1.
double DerivedUnderload(double overload, int serving_nodes);

class DynamicThresholdPolicy final : public Policy {
 public:
  // The options must be valid (MakePolicy checks them).
  explicit DynamicThresholdPolicy(DynamicThresholdOptions options);

  std::string_view Name() const override { return "dynamic-threshold"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  DynamicThresholdOptions options_;
  UnderloadCounter underload_;
};

}  // namespace ebb::policy
