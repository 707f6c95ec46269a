// TimeWeightedMean: the integral and the time-weighted mean of a piecewise-constant signal. A
// sample at t holds until the next sample, so the integral over [t_i, t_{i+1}) is v_i * (t_{i+1} -
// t_i), and the last sample counts only once time is extended past it (IntegralUntil).
// EnergyMeter is the same rule over watts, read in joules and kWh: the daemon's estimated energy
// and its always-on baseline. Owned by one thread. Samples out of time order or not finite are
// InvalidArgument and leave the meter as it was.
#pragma once

#include "core/status.h"
#include "core/time.h"

namespace ebb::metrics {

class TimeWeightedMean {
 public:
  core::Status Add(core::Seconds t, double value);

  bool empty() const { return samples_ == 0; }
  double current() const { return current_; }  // the last sample's value
  core::Seconds first_at() const { return first_at_; }
  core::Seconds last_at() const { return last_at_; }
  core::Seconds elapsed() const { return last_at_ - first_at_; }

  // value * seconds from the first sample to the last (0 before two samples).
  double Integral() const { return integral_; }
  // ... to `now`, the last value held from the last sample until then (now before the last
  // sample: the same as Integral()).
  double IntegralUntil(core::Seconds now) const;
  // Integral / elapsed; with no time elapsed, the only value; NaN when empty.
  double Mean() const;
  double MeanUntil(core::Seconds now) const;

 private:
  std::size_t samples_ = 0;
  core::Seconds first_at_ = 0;
  core::Seconds last_at_ = 0;
  double current_ = 0;
  double integral_ = 0;
};

class EnergyMeter {
 public:
  static constexpr double kJoulesPerKwh = 3.6e6;

  core::Status AddPower(core::Seconds t, double watts) { return watts_.Add(t, watts); }

  double watts() const { return watts_.current(); }
  double mean_watts() const { return watts_.Mean(); }
  double joules() const { return watts_.Integral(); }
  double kwh() const { return joules() / kJoulesPerKwh; }
  double JoulesUntil(core::Seconds now) const { return watts_.IntegralUntil(now); }
  double KwhUntil(core::Seconds now) const { return JoulesUntil(now) / kJoulesPerKwh; }

 private:
  TimeWeightedMean watts_;
};

}  // namespace ebb::metrics
