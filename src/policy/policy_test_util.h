// Helpers for the policy tests only: load histories built from rates, and a check that a reason
// mentions every number the row expects.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/load_history.h"
#include "policy/policy.h"

namespace ebb::policy {

// Samples one second apart, oldest first, the newest at `now`.
inline core::LoadHistory HistoryOf(const std::vector<double>& rates, core::Seconds now) {
  core::LoadHistory history(rates.empty() ? 1 : rates.size());
  for (std::size_t i = 0; i < rates.size(); ++i) {
    history.Add({.at = now - static_cast<double>(rates.size() - 1 - i), .rate_rps = rates[i]});
  }
  return history;
}

// `n` samples one second apart on the line rate_now + slope * (t - now), the newest at `now`.
inline core::LoadHistory Ramp(double rate_now, double slope, int n, core::Seconds now) {
  std::vector<double> rates;
  for (int i = n - 1; i >= 0; --i) rates.push_back(rate_now - slope * i);
  return HistoryOf(rates, now);
}

inline ::testing::AssertionResult ReasonHas(const Decision& decision,
                                            const std::vector<std::string>& parts) {
  for (const std::string& part : parts) {
    if (decision.reason.find(part) == std::string::npos) {
      return ::testing::AssertionFailure()
             << "reason \"" << decision.reason << "\" does not mention \"" << part << "\"";
    }
  }
  return ::testing::AssertionSuccess();
}

}  // namespace ebb::policy
