#include "control/guard.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::control {
namespace {

constexpr core::Seconds kNever = -std::numeric_limits<double>::infinity();
constexpr core::Seconds kNow = 1000;

// One situation per row: the operator's options, what the controller knows, the verdict.
struct Row {
  std::string name;
  GuardOptions options;
  GuardInput input;
  int target = 0;
  int add = 0;
  int remove = 0;
  std::string note;
};

GuardOptions Options(int min_serving = 1, int max_serving = 100, core::Seconds up_cooldown_s = 0,
                     core::Seconds down_cooldown_s = 30, int max_transitions = 8,
                     core::Seconds stale_after_s = 5) {
  return {.min_serving = min_serving,
          .max_serving = max_serving,
          .up_cooldown_s = up_cooldown_s,
          .down_cooldown_s = down_cooldown_s,
          .max_transitions_per_tick = max_transitions,
          .stale_after_s = stale_after_s};
}

GuardInput Input(int policy_target, int serving, int coming = 0, int total = 10,
                 core::Seconds data_age_s = 1, core::Seconds last_up_at = kNever,
                 core::Seconds last_any_at = kNever) {
  return {.now = kNow,
          .policy_target = policy_target,
          .serving = serving,
          .coming = coming,
          .total_nodes = total,
          .data_age_s = data_age_s,
          .last_up_at = last_up_at,
          .last_any_at = last_any_at};
}

TEST(GuardTest, Table) {
  const std::vector<Row> rows = {
      // Nothing to do.
      {"steady", Options(), Input(3, 3), 3, 0, 0, ""},
      {"coming nodes count toward an up target", Options(), Input(5, 3, 2), 5, 0, 0, ""},
      {"target between serving and serving+coming: wait", Options(), Input(4, 3, 2), 4, 0, 0, ""},
      // Plain moves.
      {"scale up", Options(), Input(5, 3), 5, 2, 0, ""},
      {"scale up minus the coming", Options(), Input(6, 3, 1), 6, 2, 0, ""},
      {"scale down", Options(), Input(2, 4), 2, 0, 2, ""},
      // Bounds.
      {"min bound raises the target", Options(2), Input(0, 3), 2, 0, 1,
       "bounded to 2 (min 2, max 10)"},
      {"min 0 still keeps the last node", Options(0), Input(0, 2), 1, 0, 1,
       "bounded to 1 (min 1, max 10)"},
      {"negative target", Options(), Input(-3, 1), 1, 0, 0, "bounded to 1 (min 1, max 10)"},
      {"max bound", Options(1, 4), Input(9, 3), 4, 1, 0, "bounded to 4 (min 1, max 4)"},
      {"total nodes bound", Options(), Input(12, 8), 10, 2, 0, "bounded to 10 (min 1, max 10)"},
      {"min above max: max wins", Options(3, 2), Input(5, 2), 2, 0, 0,
       "bounded to 2 (min 3, max 2)"},
      {"min above the total: total wins", Options(4), Input(1, 2, 0, 3), 3, 1, 0,
       "bounded to 3 (min 4, max 3)"},
      // Up cooldown.
      {"up cooldown holds a scale-up", Options(1, 100, 10), Input(5, 3, 0, 10, 1, kNow - 5), 5, 0,
       0, "scale-up held: up cooldown 10s"},
      {"up cooldown over exactly", Options(1, 100, 10), Input(5, 3, 0, 10, 1, kNow - 10), 5, 2, 0,
       ""},
      {"up cooldown does not hold a scale-down", Options(1, 100, 60, 0),
       Input(2, 3, 0, 10, 1, kNow - 1, kNow - 1), 2, 0, 1, ""},
      // Down cooldown: after any action.
      {"down cooldown holds a scale-down", Options(), Input(2, 4, 0, 10, 1, kNever, kNow - 10), 2,
       0, 0, "scale-down held: down cooldown 30s"},
      {"down cooldown over exactly", Options(), Input(2, 4, 0, 10, 1, kNever, kNow - 30), 2, 0, 2,
       ""},
      {"down cooldown does not hold a scale-up", Options(), Input(5, 4, 0, 10, 1, kNever, kNow - 1),
       5, 1, 0, ""},
      // Transitions per tick.
      {"max transitions up", Options(1, 100, 0, 30, 2), Input(7, 3), 7, 2, 0,
       "2 of 4 started this tick"},
      {"max transitions down", Options(1, 100, 0, 30, 2), Input(1, 6), 1, 0, 2,
       "2 of 5 drained this tick"},
      {"max transitions exactly enough", Options(1, 100, 0, 30, 2), Input(5, 3), 5, 2, 0, ""},
      // Stale data blocks scale-down only.
      {"stale data holds a scale-down", Options(), Input(2, 4, 0, 10, 6), 2, 0, 0,
       "scale-down held: balancer data older than 5s"},
      {"data exactly at the limit is fresh", Options(), Input(2, 4, 0, 10, 5), 2, 0, 2, ""},
      {"stale data does not hold a scale-up", Options(), Input(6, 4, 0, 10, 60), 6, 2, 0, ""},
      {"stale wins over the down cooldown", Options(), Input(2, 4, 0, 10, 6, kNever, kNow - 1), 2,
       0, 0, "scale-down held: balancer data older than 5s"},
      // Notes join.
      {"bounded and held", Options(2), Input(0, 3, 0, 10, 1, kNever, kNow - 1), 2, 0, 0,
       "bounded to 2 (min 2, max 10); scale-down held: down cooldown 30s"},
      {"bounded and limited", Options(1, 6, 0, 30, 1), Input(9, 3), 6, 1, 0,
       "bounded to 6 (min 1, max 6); 1 of 3 started this tick"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const GuardVerdict v = ApplyGuard(row.options, row.input);
    EXPECT_EQ(v.target, row.target);
    EXPECT_EQ(v.add, row.add);
    EXPECT_EQ(v.remove, row.remove);
    EXPECT_EQ(v.note, row.note);
  }
}

TEST(GuardTest, DefaultsKeepOneNodeAndBlockStaleScaleDown) {
  const GuardOptions defaults;
  EXPECT_EQ(defaults.min_serving, 1);
  const GuardVerdict zero = ApplyGuard(defaults, Input(0, 1, 0, 4));
  EXPECT_EQ(zero.target, 1);
  EXPECT_EQ(zero.remove, 0);
  const GuardVerdict stale = ApplyGuard(defaults, Input(1, 3, 0, 4, 60));
  EXPECT_EQ(stale.remove, 0);
}

// On a big cluster a tick may start a share of the nodes' transitions, not a fixed few: the
// limit is the larger of the two, each configurable.
TEST(GuardTest, TransitionsPerTickScaleWithTheCluster) {
  GuardOptions options = Options(/*min_serving=*/1, /*max_serving=*/1000);
  EXPECT_EQ(MaxTransitions(options, 10), 8);
  EXPECT_EQ(MaxTransitions(options, 1000), 100);
  EXPECT_EQ(MaxTransitions(options, 1001), 101);
  GuardVerdict v = ApplyGuard(options, Input(300, 900, 0, 1000));
  EXPECT_EQ(v.remove, 100);
  EXPECT_EQ(v.note, "100 of 600 drained this tick");
  v = ApplyGuard(options, Input(700, 400, 0, 1000));
  EXPECT_EQ(v.add, 100);
  options.max_transitions_share = 0;  // the absolute count alone, as before
  EXPECT_EQ(ApplyGuard(options, Input(300, 900, 0, 1000)).remove, 8);
  options.max_transitions_per_tick = 1;
  options.max_transitions_share = 0.5;
  EXPECT_EQ(ApplyGuard(options, Input(1, 4, 0, 4)).remove, 2);
}

}  // namespace
}  // namespace ebb::control
