// Helpers for the policy tests only: load histories built from rates, and a check that a reason
// mentions every number the row expects.
#pragma once

#include <algorithm>
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

// What DrivePolicy gives every decision besides the load.
struct DriveSetup {
  int total_nodes = 50;
  int start_serving = 1;
  double node_capacity_rps = 10;
  core::Seconds boot_s = 60;
  ServiceModel model;
};

// Drives `policy` one second at a time over `rates`, as the controller would, with every target
// carried out at once (no boot delay, at least one node serving); returns the targets.
inline std::vector<int> DrivePolicy(Policy& policy, const std::vector<double>& rates,
                                    const DriveSetup& setup) {
  core::LoadHistory history(256);
  std::vector<int> targets;
  int serving = setup.start_serving;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    const double now = static_cast<double>(i + 1);
    history.Add({.at = now, .rate_rps = rates[i]});
    const Decision d = policy.Decide({.now = now,
                                      .interval_s = 1,
                                      .serving_nodes = serving,
                                      .total_nodes = setup.total_nodes,
                                      .node_capacity_rps = setup.node_capacity_rps,
                                      .boot_s = setup.boot_s,
                                      .history = &history,
                                      .model = setup.model});
    serving = std::max(1, d.target_serving);
    targets.push_back(d.target_serving);
  }
  return targets;
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
