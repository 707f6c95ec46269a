// CostMeter: the running cost of the cluster in Mitrani's and Mazzucco's model, C = c1·L + c2·S,
// where L is the number of jobs in the system (HAProxy's current sessions plus its queue) and S
// the number of powered nodes. c1 is the cost of holding one job for one second (what a user's
// wait is worth) and c2 the cost of keeping one node powered for one second (its energy and
// wear); C is then a cost rate, in cost units per second, and its integral over the run the
// total cost. With the defaults c1 = c2 = 1 a job-second and a node-second cost the same.
// Samples are piecewise constant (TimeWeightedMean): a sample at t holds until the next. Owned
// by the daemon's loop thread; an out-of-order, negative or non-finite sample is InvalidArgument
// and is not counted.
#pragma once

#include "core/status.h"
#include "core/time.h"
#include "metrics/time_weighted_mean.h"

namespace ebb::metrics {

struct CostOptions {
  double c1 = 1;  // per job in the system, per second
  double c2 = 1;  // per powered node, per second
};

class CostMeter {
 public:
  explicit CostMeter(CostOptions options = {});

  // jobs: sessions plus queued requests; powered_nodes: nodes not DOWN.
  core::Status Sample(core::Seconds t, double jobs, double powered_nodes);

  const CostOptions& options() const { return options_; }
  bool empty() const { return cost_rate_.empty(); }
  double rate() const { return cost_rate_.current(); }    // c1·L + c2·S now
  double total() const { return cost_rate_.Integral(); }  // up to the last sample
  double TotalUntil(core::Seconds now) const { return cost_rate_.IntegralUntil(now); }
  double mean_rate() const { return cost_rate_.Mean(); }  // total / elapsed
  double mean_jobs() const { return jobs_.Mean(); }
  double mean_powered_nodes() const { return powered_.Mean(); }

 private:
  CostOptions options_;
  TimeWeightedMean cost_rate_;
  TimeWeightedMean jobs_;
  TimeWeightedMean powered_;
};

}  // namespace ebb::metrics
