#include "metrics/time_weighted_mean.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace ebb::metrics {

core::Status TimeWeightedMean::Add(core::Seconds t, double value) {
  if (!std::isfinite(t) || !std::isfinite(value)) {
    return core::InvalidArgumentError(
        fmt::format("sample {} at {}: time and value must be finite", value, t));
  }
  if (samples_ > 0 && t < last_at_) {
    return core::InvalidArgumentError(fmt::format(
        "sample at {} is before the previous one at {}: samples must come in time order", t,
        last_at_));
  }
  if (samples_ == 0) {
    first_at_ = t;
  } else {
    integral_ += current_ * (t - last_at_);
  }
  last_at_ = t;
  current_ = value;
  ++samples_;
  return core::Status::Ok();
}

double TimeWeightedMean::IntegralUntil(core::Seconds now) const {
  if (samples_ == 0 || !(now > last_at_)) return integral_;
  return integral_ + current_ * (now - last_at_);
}

double TimeWeightedMean::Mean() const {
  if (samples_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (!(elapsed() > 0)) return current_;
  return integral_ / elapsed();
}

double TimeWeightedMean::MeanUntil(core::Seconds now) const {
  if (samples_ == 0) return std::numeric_limits<double>::quiet_NaN();
  if (!(now > last_at_)) return Mean();
  return IntegralUntil(now) / (now - first_at_);
}

}  // namespace ebb::metrics
