// ServiceTime: how long a request occupies one of a node's maxconn slots.
//   exponential   mean_s                  (SCV 1)
//   deterministic mean_s                  (SCV 0)
//   lognormal     mean_s and scv          (squared coefficient of variation, > 0)
#pragma once

#include <cmath>
#include <string>
#include <string_view>

#include "core/status.h"
#include "workload/random.h"

namespace ebb::workload {

enum class ServiceTimeKind { kExponential, kDeterministic, kLogNormal };

struct ServiceTimeOptions {
  ServiceTimeKind kind = ServiceTimeKind::kExponential;
  double mean_s = 0.1;
  double scv = 1.0;  // lognormal only
};

core::Result<ServiceTimeKind> ParseServiceTimeKind(std::string_view name);
std::string_view ToString(ServiceTimeKind kind);

class ServiceTime {
 public:
  explicit ServiceTime(const ServiceTimeOptions& options)
      : kind_(options.kind), mean_(options.mean_s) {
    const double sigma2 = std::log1p(options.scv);
    sigma_ = std::sqrt(sigma2);
    mu_ = std::log(options.mean_s) - sigma2 / 2;
  }

  double Sample(Random& random) const {
    switch (kind_) {
      case ServiceTimeKind::kExponential:
        return -std::log(random.Uniform01()) * mean_;
      case ServiceTimeKind::kDeterministic:
        return mean_;
      case ServiceTimeKind::kLogNormal:
        return std::exp(mu_ + sigma_ * random.Normal());
    }
    return mean_;
  }
  double mean_s() const { return mean_; }

 private:
  ServiceTimeKind kind_;
  double mean_;
  double mu_ = 0;
  double sigma_ = 0;
};

}  // namespace ebb::workload
