#include "tools/testserver/status_after.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace ebb::testserver {
namespace {

template <typename T>
bool ParseWhole(std::string_view text, T& value) {
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

core::Status ParseWhen(std::string_view when, StatusAfter& rule) {
  double scale = 0;
  if (when.ends_with("ms")) {
    scale = 1e-3;
    when.remove_suffix(2);
  } else if (when.ends_with("s")) {
    scale = 1;
    when.remove_suffix(1);
  }
  if (scale == 0) {
    if (!ParseWhole(when, rule.after_requests)) {
      return core::InvalidArgumentError(
          fmt::format("\"{}\" is neither a request count nor a duration like 30s or 500ms", when));
    }
    rule.trigger = StatusTrigger::kAfterRequests;
    return core::Status::Ok();
  }
  double seconds = 0;
  if (!ParseWhole(when, seconds) || !std::isfinite(seconds) || seconds < 0) {
    return core::InvalidArgumentError(fmt::format("\"{}\" is not a duration >= 0", when));
  }
  rule.trigger = StatusTrigger::kAfterSeconds;
  rule.after_s = seconds * scale;
  return core::Status::Ok();
}

}  // namespace

core::Result<StatusAfter> ParseStatusAfter(std::string_view spec) {
  const std::string context = fmt::format("status-after \"{}\"", spec);
  const std::size_t first = spec.find(':');
  if (first == std::string_view::npos) {
    return core::InvalidArgumentError("expected WHEN:CODE[:SCOPE]").WithContext(context);
  }
  const std::size_t second = spec.find(':', first + 1);
  const std::string_view code_text = spec.substr(
      first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
  StatusAfter rule;
  core::Status when = ParseWhen(spec.substr(0, first), rule);
  if (!when.ok()) return when.WithContext(context);
  if (!ParseWhole(code_text, rule.code) || rule.code < 200 || rule.code > 599) {
    return core::InvalidArgumentError(fmt::format("code \"{}\" is not in 200..599", code_text))
        .WithContext(context);
  }
  if (second != std::string_view::npos) {
    const std::string_view scope = spec.substr(second + 1);
    if (scope == "all") {
      rule.scope = StatusScope::kAll;
    } else if (scope == "app") {
      rule.scope = StatusScope::kApp;
    } else if (scope == "health") {
      rule.scope = StatusScope::kHealth;
    } else {
      return core::InvalidArgumentError(
                 fmt::format("unknown scope \"{}\" (known: all, app, health)", scope))
          .WithContext(context);
    }
  }
  return rule;
}

std::optional<int> ScriptedStatus(std::span<const StatusAfter> rules, RequestKind kind,
                                  std::uint64_t app_requests_before, double elapsed_s) {
  std::optional<int> status;
  for (const StatusAfter& rule : rules) {
    const bool covers = rule.scope == StatusScope::kAll ||
                        (rule.scope == StatusScope::kApp && kind == RequestKind::kApp) ||
                        (rule.scope == StatusScope::kHealth && kind == RequestKind::kHealth);
    const bool triggered = rule.trigger == StatusTrigger::kAfterRequests
                               ? app_requests_before >= rule.after_requests
                               : elapsed_s >= rule.after_s;
    if (covers && triggered) status = rule.code;
  }
  return status;
}

}  // namespace ebb::testserver
