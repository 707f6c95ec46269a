// PowerModel: the watts a node draws in each power state. The simulator integrates it exactly; the
// daemon uses it to estimate the power and energy of the real cluster and of an always-on one.
#pragma once

namespace ebb::core {

// Watts per node state; a serving node draws idle_w + (busy_w - idle_w) * sessions / maxconn.
struct PowerModel {
  double off_w = 5;
  double boot_w = 150;
  double idle_w = 100;
  double busy_w = 200;
  double shutdown_w = 100;
};

}  // namespace ebb::core
