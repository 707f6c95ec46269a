#include "policy/always_on_policy.h"

#include <algorithm>

#include <fmt/format.h>

#include "policy/capacity.h"

namespace ebb::policy {

Decision AlwaysOnPolicy::Decide(const PolicyInput& input) {
  const int total = std::max(0, input.total_nodes);
  const bool has_load = input.history != nullptr && !input.history->empty();
  return Decision{.target_serving = total,
                  .expected_rps = has_load ? input.history->Latest().rate_rps : 0.0,
                  .reason = fmt::format("always-on: keep all {} serving", FormatNodes(total))};
}

}  // namespace ebb::policy
