#include "policy/policy_factory.h"

#include <cmath>

#include <fmt/format.h>

#include "policy/always_on_policy.h"
#include "policy/delayed_off_policy.h"
#include "policy/dynamic_threshold_policy.h"
#include "policy/lcp_policy.h"
#include "policy/regression_policy.h"
#include "policy/reserves_policy.h"
#include "policy/sla_sizing_policy.h"
#include "policy/threshold_policy.h"

namespace ebb::policy {
namespace {

using core::InvalidArgumentError;
using core::Status;

// Each check names the field as the [policy] table spells it and says which policy reads it.
Status CheckOverload(const PolicyOptions& o) {
  if (!(o.overload > 0 && o.overload <= 1)) {
    return InvalidArgumentError(
        fmt::format("policy '{}': overload must be in (0, 1], got {}", o.name, o.overload));
  }
  return Status::Ok();
}

Status CheckUnderload(const PolicyOptions& o) {
  if (!(o.underload >= 0 && o.underload < o.overload)) {
    return InvalidArgumentError(
        fmt::format("policy '{}': underload must be in [0, overload = {}), got {}", o.name,
                    o.overload, o.underload));
  }
  return Status::Ok();
}

Status CheckCycles(const PolicyOptions& o) {
  if (o.underload_cycles < 1) {
    return InvalidArgumentError(fmt::format("policy '{}': underload_cycles must be >= 1, got {}",
                                            o.name, o.underload_cycles));
  }
  return Status::Ok();
}

Status CheckWindow(const PolicyOptions& o, std::string_view field, core::Seconds value) {
  if (!(value > 0 && std::isfinite(value))) {
    return InvalidArgumentError(fmt::format(
        "policy '{}': {} must be a positive number of seconds, got {}", o.name, field, value));
  }
  return Status::Ok();
}

Status CheckRegression(const PolicyOptions& o) {
  EBB_RETURN_IF_ERROR(CheckOverload(o));
  EBB_RETURN_IF_ERROR(CheckCycles(o));
  EBB_RETURN_IF_ERROR(CheckWindow(o, "history_s", o.history_s));
  if (!(o.epsilon_s >= 0 && std::isfinite(o.epsilon_s))) {
    return InvalidArgumentError(
        fmt::format("policy '{}': epsilon_s must be a non-negative number of seconds, got {}",
                    o.name, o.epsilon_s));
  }
  return Status::Ok();
}

Status CheckSignOff(const PolicyOptions& o) {
  if (o.sign_off != "all" && o.sign_off != "one") {
    return InvalidArgumentError(fmt::format(
        "policy '{}': sign_off must be \"all\" or \"one\", got \"{}\"", o.name, o.sign_off));
  }
  return Status::Ok();
}

SignOffMode SignOffOf(const PolicyOptions& o) {
  return o.sign_off == "one" ? SignOffMode::kOne : SignOffMode::kAll;
}

}  // namespace

std::vector<std::string_view> PolicyNames() {
  return {"always-on",       "threshold",  "dynamic-threshold", "regression",
          "regression-mean", "sla-sizing", "delayed-off",       "lcp",
          "reserves"};
}

bool SizesFromAQueueingModel(std::string_view name) {
  return name == "sla-sizing" || name == "lcp" || name == "reserves";
}

core::Result<std::unique_ptr<Policy>> MakePolicy(const PolicyOptions& options) {
  const PolicyOptions& o = options;
  if (o.name == "always-on") {
    return std::unique_ptr<Policy>(std::make_unique<AlwaysOnPolicy>());
  }
  if (o.name == "threshold") {
    EBB_RETURN_IF_ERROR(CheckOverload(o));
    EBB_RETURN_IF_ERROR(CheckUnderload(o));
    EBB_RETURN_IF_ERROR(CheckCycles(o));
    EBB_RETURN_IF_ERROR(CheckSignOff(o));
    return std::unique_ptr<Policy>(
        std::make_unique<ThresholdPolicy>(ThresholdOptions{.overload = o.overload,
                                                           .underload = o.underload,
                                                           .underload_cycles = o.underload_cycles,
                                                           .sign_off = SignOffOf(o)}));
  }
  if (o.name == "dynamic-threshold") {
    EBB_RETURN_IF_ERROR(CheckOverload(o));
    EBB_RETURN_IF_ERROR(CheckCycles(o));
    EBB_RETURN_IF_ERROR(CheckSignOff(o));
    return std::unique_ptr<Policy>(std::make_unique<DynamicThresholdPolicy>(DynamicThresholdOptions{
        .overload = o.overload, .underload_cycles = o.underload_cycles, .sign_off = SignOffOf(o)}));
  }
  if (o.name == "regression" || o.name == "regression-mean") {
    EBB_RETURN_IF_ERROR(CheckRegression(o));
    EBB_RETURN_IF_ERROR(CheckSignOff(o));
    const bool mean = o.name == "regression-mean";
    if (mean) EBB_RETURN_IF_ERROR(CheckWindow(o, "mean_s", o.mean_s));
    return std::unique_ptr<Policy>(std::make_unique<RegressionPolicy>(RegressionOptions{
        .overload = o.overload,
        .underload_cycles = o.underload_cycles,
        .history_s = o.history_s,
        .epsilon_s = o.epsilon_s,
        .current_load = mean ? CurrentLoad::kWindowMean : CurrentLoad::kNewestSample,
        .mean_s = o.mean_s,
        .sign_off = SignOffOf(o)}));
  }
  core::Result<forecast::ForecastMethod> method = forecast::ParseForecastMethod(o.forecast);
  if (!method.ok()) {
    return InvalidArgumentError(fmt::format("policy '{}': {}", o.name, method.status().message()));
  }
  if (o.name == "reserves") {
    EBB_RETURN_IF_ERROR(CheckWindow(o, "mean_s", o.mean_s));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "history_s", o.history_s));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "replan_s", o.replan_s));
    if (!(o.replan_share >= 0 && std::isfinite(o.replan_share))) {
      return InvalidArgumentError(fmt::format(
          "policy '{}': replan_share must be a share >= 0, got {}", o.name, o.replan_share));
    }
    return std::unique_ptr<Policy>(
        std::make_unique<ReservesPolicy>(ReservesOptions{.mean_s = o.mean_s,
                                                         .history_s = o.history_s,
                                                         .replan_share = o.replan_share,
                                                         .replan_s = o.replan_s,
                                                         .forecast = *method}));
  }
  if (o.name == "lcp") return std::unique_ptr<Policy>(std::make_unique<LcpPolicy>());
  if (o.name == "delayed-off") {
    EBB_RETURN_IF_ERROR(CheckOverload(o));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "mean_s", o.mean_s));
    if (!(o.timer_s >= 0 || o.timer_s == -1) || !std::isfinite(o.timer_s)) {
      return InvalidArgumentError(fmt::format(
          "policy '{}': timer_s must be >= 0 seconds, or -1 for the break-even time, got {}",
          o.name, o.timer_s));
    }
    return std::unique_ptr<Policy>(std::make_unique<DelayedOffPolicy>(
        DelayedOffOptions{.overload = o.overload, .mean_s = o.mean_s, .timer_s = o.timer_s}));
  }
  if (o.name == "sla-sizing") {
    EBB_RETURN_IF_ERROR(CheckWindow(o, "mean_s", o.mean_s));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "history_s", o.history_s));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "memory_s", o.memory_s));
    EBB_RETURN_IF_ERROR(CheckWindow(o, "halving_s", o.halving_s));
    if (!(o.headroom_quantile > 0 && o.headroom_quantile <= 1)) {
      return InvalidArgumentError(fmt::format(
          "policy '{}': headroom_quantile must be in (0, 1], got {}", o.name, o.headroom_quantile));
    }
    if (!(o.hold_s >= 0 || o.hold_s == -1) || !std::isfinite(o.hold_s)) {
      return InvalidArgumentError(fmt::format(
          "policy '{}': hold_s must be >= 0 seconds, or -1 for the break-even time, got {}", o.name,
          o.hold_s));
    }
    return std::unique_ptr<Policy>(
        std::make_unique<SlaSizingPolicy>(SlaSizingOptions{.mean_s = o.mean_s,
                                                           .history_s = o.history_s,
                                                           .headroom_quantile = o.headroom_quantile,
                                                           .memory_s = o.memory_s,
                                                           .halving_s = o.halving_s,
                                                           .hold_s = o.hold_s,
                                                           .forecast = *method}));
  }
  return InvalidArgumentError(fmt::format("unknown policy '{}'; known policies: {}", o.name,
                                          fmt::join(PolicyNames(), ", ")));
}

}  // namespace ebb::policy
