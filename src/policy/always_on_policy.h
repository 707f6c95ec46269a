// AlwaysOnPolicy ("always-on"): every node serves all the time. The reference the savings of the
// other policies are measured against.
#pragma once

#include <string_view>

#include "policy/policy.h"

namespace ebb::policy {

class AlwaysOnPolicy final : public Policy {
 public:
  std::string_view Name() const override { return "always-on"; }
  Decision Decide(const PolicyInput& input) override;
};

}  // namespace ebb::policy
