// ThresholdPolicy ("threshold", after Cherub): two fixed thresholds on the share of the serving
// nodes' capacity that the newest load sample uses. Above `overload` it asks for the smallest
// number of nodes that brings the share back under `overload` (at least one more). Below
// `underload` for `underload_cycles` consecutive decisions it signs off as many nodes as keep the
// load within `overload` (one, as Cherub did, with SignOffMode::kOne) and starts counting again.
// Nodes already booting count as coming. Keeps the underload count between calls.
#pragma once

#include <string_view>

#include "policy/capacity.h"
#include "policy/policy.h"

namespace ebb::policy {

struct ThresholdOptions {
  double overload = 0.6;     // in (0, 1]
  double underload = 0.2;    // in [0, overload)
  int underload_cycles = 3;  // >= 1
  SignOffMode sign_off = SignOffMode::kAll;
};

class ThresholdPolicy final : public Policy {
 public:
  // The options must be valid (MakePolicy checks them).
  explicit ThresholdPolicy(ThresholdOptions options);

  std::string_view Name() const override { return "threshold"; }
  Decision Decide(const PolicyInput& input) override;

 private:
  ThresholdOptions options_;
  UnderloadCounter underload_;
};

}  // namespace ebb::policy
