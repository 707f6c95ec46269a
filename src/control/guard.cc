#include "control/guard.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ebb::control {

int MaxTransitions(const GuardOptions& options, int total_nodes) {
  const double share = std::ceil(options.max_transitions_share * std::max(0, total_nodes));
  return std::max(options.max_transitions_per_tick, static_cast<int>(share));
}

GuardVerdict ApplyGuard(const GuardOptions& options, const GuardInput& in) {
  GuardVerdict v;
  const int max_transitions = MaxTransitions(options, in.total_nodes);
  const int lowest = std::max(1, options.min_serving);
  const int highest = std::min(options.max_serving, in.total_nodes);
  v.target = std::clamp(in.policy_target, std::min(lowest, highest), highest);
  if (v.target != in.policy_target) {
    v.note = fmt::format("bounded to {} (min {}, max {})", v.target, lowest, highest);
  }
  auto add_note = [&v](std::string text) {
    if (!v.note.empty()) v.note += "; ";
    v.note += std::move(text);
  };

  if (v.target > in.serving + in.coming) {
    const int want = v.target - in.serving - in.coming;
    if (in.now - in.last_up_at < options.up_cooldown_s) {
      add_note(fmt::format("scale-up held: up cooldown {}s", options.up_cooldown_s));
    } else {
      v.add = std::min(want, max_transitions);
      if (v.add < want) add_note(fmt::format("{} of {} started this tick", v.add, want));
    }
  } else if (v.target < in.serving) {
    const int want = in.serving - v.target;
    if (in.data_age_s > options.stale_after_s) {
      // No age in the text: the controller logs a held tick once per distinct note, and an age
      // would make every stale tick a new note.
      add_note(fmt::format("scale-down held: balancer data older than {}s", options.stale_after_s));
    } else if (in.now - in.last_any_at < options.down_cooldown_s) {
      add_note(fmt::format("scale-down held: down cooldown {}s", options.down_cooldown_s));
    } else {
      v.remove = std::min(want, max_transitions);
      if (v.remove < want) add_note(fmt::format("{} of {} drained this tick", v.remove, want));
    }
  }
  return v;
}

}  // namespace ebb::control
