// MakePowerDriver: the daemon's power driver from the [power] settings. Templates arrive as argv
// vectors; a configuration that holds a single string splits it first with SplitCommandLine()
// (command_template.h), or passes it through ParseTemplateSetting() below. Every error is
// InvalidArgument naming the setting ("power.on: unknown placeholder {hots} in ..."), found when
// the configuration loads: unknown driver, a missing or superfluous template, a bad timeout, WoL
// address or port, an empty run_dir. ValidateForNodes() then checks each node has what the
// templates need ({mac}, {bmc}, {port}, a MAC for Wake-on-LAN, a file-safe name for the process
// driver). The drivers it makes use `clock` for their timeouts; it must outlive them.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/node.h"
#include "core/status.h"
#include "power/power_driver.h"

namespace ebb::power {

struct PowerDriverOptions {
  std::string driver;                 // "command", "wol" or "process"
  std::vector<std::string> on;        // command: required; process: required; wol: must be empty
  std::vector<std::string> off;       // command, wol: required; process: optional (else SIGTERM)
  std::vector<std::string> status;    // command, wol: optional probe; process: must be empty
  core::Seconds timeout_s = 30;       // per command
  core::Seconds stop_timeout_s = 10;  // process driver: SIGTERM to SIGKILL
  std::string wol_address = "255.255.255.255";
  int wol_port = 9;
  std::string run_dir;  // process driver: pid files and node logs
};

// The single-string form of a template setting, split into argv (errors name `key`).
core::Result<std::vector<std::string>> ParseTemplateSetting(std::string_view key,
                                                            std::string_view line);

// Checks the settings without making anything (no run_dir created): for `ebb check`-style use.
core::Status ValidatePowerDriverOptions(const PowerDriverOptions& options);

core::Result<std::unique_ptr<PowerDriver>> MakePowerDriver(const PowerDriverOptions& options,
                                                           const core::Clock& clock);

// OK when every node has what the driver and its templates need; the first problem otherwise,
// naming the setting and the node.
core::Status ValidateForNodes(const PowerDriverOptions& options,
                              std::span<const core::NodeSpec> nodes);

}  // namespace ebb::power
