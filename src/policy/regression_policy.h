// RegressionPolicy ("regression" and "regression-mean", after Cherub): looks ahead by one boot
// time. A least-squares line through the last `history_s` seconds of load gives the trend (slope).
// The current load is the newest sample ("regression") or the mean of the last `mean_s` seconds
// ("regression-mean"). The load expected at now + boot_s + epsilon_s is the current load carried
// along the trend: current + slope * (boot_s + epsilon_s).
//
//   free = overload * serving * capacity - current
//   free <= 0                      -> boot enough nodes for the current load, now
//   slope > 0 and free / slope < boot_s + epsilon_s
//                                  -> the serving nodes would be overloaded before a node could
//                                     boot: boot enough nodes for the expected load
//   otherwise                      -> scale down as DynamicThresholdPolicy, judged on
//                                     max(current, expected), so that it never signs off a node
//                                     it would need again within a boot time
// Keeps the underload count between calls.
#pragma once

#include <string_view>

#include "core/time.h"
#include "policy/capacity.h"
#include "policy/policy.h"

namespace ebb::policy {

enum class CurrentLoad {
  kNewestSample,  // "regression"
  kWindowMean,    // "regression-mean": mean of the last mean_s seconds
};

struct RegressionOptions {
  double overload = 0.6;          // in (0, 1]
  int underload_cycles = 3;       // >= 1
  core::Seconds history_s = 120;  // > 0: window of the regression
  core::Seconds epsilon_s = 5;    // >= 0: margin added to the boot time
  CurrentLoad current_load = CurrentLoad::kNewestSample;
  core::Seconds mean_s = 15;  // > 0: window of kWindowMean
  SignOffMode sign_off = SignOffMode::kAll;
};

class RegressionPolicy final : public Policy {
 public:
  // The options must be valid (MakePolicy checks them).
  explicit RegressionPolicy(RegressionOptions options);

  std::string_view Name() const override;
  Decision Decide(const PolicyInput& input) override;

 private:
  RegressionOptions options_;
  UnderloadCounter underload_;
};

}  // namespace ebb::policy
