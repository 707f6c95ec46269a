#include "testing/scripted_policy.h"

namespace ebb::testing {

policy::Decision ScriptedPolicy::Decide(const policy::PolicyInput& input) {
  ++calls_;
  last_input_ = input;
  last_input_->history = nullptr;
  last_sample_.reset();
  if (input.history != nullptr && !input.history->empty()) {
    last_sample_ = input.history->Latest();
  }
  return {.target_serving = target_, .expected_rps = expected_rps_, .reason = reason_};
}

}  // namespace ebb::testing
