// DryRunPowerDriver: the daemon's --dry-run. Switches nothing: Start() records what the real
// driver would do (its DescribeCommand(), e.g. the ipmitool command line), hands that line to an
// optional log callback, and completes OK once the node's boot_s (on) or shutdown_s (off) has
// passed on the core::Clock, so the daemon's bookkeeping (the energy it would have saved) follows
// the real timings. QueryStatus() delegates to the wrapped driver when there is one: adopting
// the cluster at start-up stays real, and is read-only. Event loop thread only; never fails.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "power/power_driver.h"

namespace ebb::power {

class DryRunPowerDriver final : public PowerDriver {
 public:
  using Log = std::function<void(std::string_view line)>;
  // `real` may be null (then commands are described as "on web1"); `log` may be empty.
  DryRunPowerDriver(const core::Clock& clock, std::unique_ptr<PowerDriver> real, Log log = {});

  void Start(core::NodeId node, const core::NodeSpec& spec, PowerAction action) override;
  void TakeCompletions(std::vector<PowerCompletion>& out) override;
  PowerStatus QueryStatus(core::NodeId node, const core::NodeSpec& spec) override;
  std::string DescribeCommand(const core::NodeSpec& spec, PowerAction action) const override;

  // Every Start() so far: "dry run: power on web1: ipmitool -I lanplus -H 10.0.0.5 ...".
  const std::vector<std::string>& commands() const { return commands_; }

 private:
  struct Pending {
    core::Seconds due = 0;
    std::uint64_t sequence = 0;  // completions due at the same time keep their order
    PowerCompletion completion;
  };
  const core::Clock& clock_;
  std::unique_ptr<PowerDriver> real_;
  Log log_;
  std::vector<Pending> pending_;
  std::uint64_t next_sequence_ = 0;
  std::vector<std::string> commands_;
};

}  // namespace ebb::power
