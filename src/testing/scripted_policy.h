// ScriptedPolicy: a Policy that returns the target and reason the test last set, and remembers
// what it was asked (how often, and the last input's counts and newest load sample).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/load_history.h"
#include "policy/policy.h"

namespace ebb::testing {

class ScriptedPolicy final : public policy::Policy {
 public:
  explicit ScriptedPolicy(int target = 1, std::string reason = "scripted")
      : target_(target), reason_(std::move(reason)) {}

  std::string_view Name() const override { return "scripted"; }
  policy::Decision Decide(const policy::PolicyInput& input) override;

  void Set(int target, std::string reason) {
    target_ = target;
    reason_ = std::move(reason);
  }
  void set_expected_rps(double rps) { expected_rps_ = rps; }

  int calls() const { return calls_; }
  // The last input, with `history` cleared (it points into the controller).
  const std::optional<policy::PolicyInput>& last_input() const { return last_input_; }
  // The newest load sample of the last input's history, if it had one.
  const std::optional<core::LoadSample>& last_sample() const { return last_sample_; }

 private:
  int target_;
  std::string reason_;
  double expected_rps_ = 0;
  int calls_ = 0;
  std::optional<policy::PolicyInput> last_input_;
  std::optional<core::LoadSample> last_sample_;
};

}  // namespace ebb::testing
