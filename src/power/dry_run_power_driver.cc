#include "power/dry_run_power_driver.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace ebb::power {

DryRunPowerDriver::DryRunPowerDriver(const core::Clock& clock, std::unique_ptr<PowerDriver> real,
                                     Log log)
    : clock_(clock), real_(std::move(real)), log_(std::move(log)) {}

void DryRunPowerDriver::Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) {
  std::string line = fmt::format("dry run: power {} {}: {}", ToString(action), spec.name,
                                 DescribeCommand(spec, action));
  if (log_) log_(line);
  commands_.push_back(std::move(line));
  const core::Seconds delay = action == PowerAction::kOn ? spec.boot_s : spec.shutdown_s;
  pending_.push_back(
      {.due = clock_.Now() + std::max(0.0, delay),
       .sequence = next_sequence_++,
       .completion = {.node = node, .action = action, .status = core::Status::Ok()}});
}

void DryRunPowerDriver::TakeCompletions(std::vector<PowerCompletion>& out) {
  const core::Seconds now = clock_.Now();
  auto due = std::stable_partition(pending_.begin(), pending_.end(),
                                   [&](const Pending& p) { return p.due > now; });
  std::sort(due, pending_.end(), [](const Pending& a, const Pending& b) {
    return a.due != b.due ? a.due < b.due : a.sequence < b.sequence;
  });
  for (auto it = due; it != pending_.end(); ++it) out.push_back(std::move(it->completion));
  pending_.erase(due, pending_.end());
}

PowerStatus DryRunPowerDriver::QueryStatus(core::NodeId node, const core::NodeSpec& spec) {
  return real_ ? real_->QueryStatus(node, spec) : PowerStatus::kUnknown;
}

std::string DryRunPowerDriver::DescribeCommand(const core::NodeSpec& spec,
                                               PowerAction action) const {
  return real_ ? real_->DescribeCommand(spec, action) : PowerDriver::DescribeCommand(spec, action);
}

}  // namespace ebb::power
