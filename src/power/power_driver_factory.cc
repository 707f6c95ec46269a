#include "power/power_driver_factory.h"

#include <fmt/format.h>

#include <cmath>
#include <optional>
#include <utility>

#include "power/command_power_driver.h"
#include "power/command_template.h"
#include "power/process_power_driver.h"
#include "power/wol_power_driver.h"

namespace ebb::power {
namespace {

struct ParsedTemplates {
  std::optional<CommandTemplate> on;
  std::optional<CommandTemplate> off;
  std::optional<CommandTemplate> status;
};

enum class Need : std::uint8_t { kRequired, kOptional, kForbidden };

core::Status ParseOne(std::string_view driver, std::string_view key,
                      const std::vector<std::string>& argv, Need need,
                      std::optional<CommandTemplate>& out) {
  if (argv.empty()) {
    if (need == Need::kRequired) {
      return core::InvalidArgumentError(fmt::format("{}: required by the {} driver", key, driver));
    }
    return core::Status::Ok();
  }
  if (need == Need::kForbidden) {
    return core::InvalidArgumentError(fmt::format(
        "{}: the {} driver does not use it ({}); remove it", key, driver,
        driver == "wol" ? "it sends the magic packet itself" : "it watches its own processes"));
  }
  core::Result<CommandTemplate> t = CommandTemplate::Parse(key, argv);
  if (!t.ok()) return t.status();
  out = std::move(t).value();
  return core::Status::Ok();
}

core::Result<ParsedTemplates> ParseAll(const PowerDriverOptions& o) {
  Need on = Need::kRequired;
  Need off = Need::kRequired;
  Need status = Need::kOptional;
  if (o.driver == "wol") {
    on = Need::kForbidden;
  } else if (o.driver == "process") {
    off = Need::kOptional;
    status = Need::kForbidden;
  } else if (o.driver != "command") {
    return core::InvalidArgumentError(
        fmt::format("power.driver: unknown driver '{}' (known: command, wol, process)", o.driver));
  }
  auto positive = [](std::string_view key, core::Seconds value) {
    if (std::isfinite(value) && value > 0) return core::Status::Ok();
    return core::InvalidArgumentError(
        fmt::format("{}: {} is not a positive number of seconds", key, value));
  };
  EBB_RETURN_IF_ERROR(positive("power.timeout_s", o.timeout_s));
  EBB_RETURN_IF_ERROR(positive("power.stop_timeout_s", o.stop_timeout_s));

  ParsedTemplates t;
  EBB_RETURN_IF_ERROR(ParseOne(o.driver, "power.on", o.on, on, t.on));
  EBB_RETURN_IF_ERROR(ParseOne(o.driver, "power.off", o.off, off, t.off));
  EBB_RETURN_IF_ERROR(ParseOne(o.driver, "power.status", o.status, status, t.status));
  if (o.driver == "wol") EBB_RETURN_IF_ERROR(ValidateWolTarget(o.wol_address, o.wol_port));
  if (o.driver == "process" && o.run_dir.empty()) {
    return core::InvalidArgumentError(
        "power.run_dir: required by the process driver (pid files and node logs)");
  }
  return t;
}

}  // namespace

core::Result<std::vector<std::string>> ParseTemplateSetting(std::string_view key,
                                                            std::string_view line) {
  core::Result<std::vector<std::string>> argv = SplitCommandLine(line);
  if (!argv.ok()) {
    return core::InvalidArgumentError(
        fmt::format("{}: {} in \"{}\"", key, argv.status().message(), line));
  }
  return argv;
}

core::Status ValidatePowerDriverOptions(const PowerDriverOptions& options) {
  return ParseAll(options).status();
}

core::Result<std::unique_ptr<PowerDriver>> MakePowerDriver(const PowerDriverOptions& options,
                                                           const core::Clock& clock) {
  EBB_ASSIGN_OR_RETURN(ParsedTemplates t, ParseAll(options));
  if (options.driver == "command") {
    return std::unique_ptr<PowerDriver>(std::make_unique<CommandPowerDriver>(
        CommandPowerDriverOptions{.on = std::move(*t.on),
                                  .off = std::move(*t.off),
                                  .status = std::move(t.status),
                                  .timeout_s = options.timeout_s},
        clock));
  }
  if (options.driver == "wol") {
    return std::unique_ptr<PowerDriver>(
        std::make_unique<WolPowerDriver>(WolPowerDriverOptions{.address = options.wol_address,
                                                               .port = options.wol_port,
                                                               .off = std::move(*t.off),
                                                               .status = std::move(t.status),
                                                               .timeout_s = options.timeout_s},
                                         clock));
  }
  EBB_ASSIGN_OR_RETURN(std::unique_ptr<ProcessPowerDriver> process,
                       ProcessPowerDriver::Create({.on = std::move(*t.on),
                                                   .off = std::move(t.off),
                                                   .run_dir = options.run_dir,
                                                   .stop_timeout_s = options.stop_timeout_s,
                                                   .timeout_s = options.timeout_s},
                                                  clock));
  return std::unique_ptr<PowerDriver>(std::move(process));
}

core::Status ValidateForNodes(const PowerDriverOptions& options,
                              std::span<const core::NodeSpec> nodes) {
  EBB_ASSIGN_OR_RETURN(ParsedTemplates t, ParseAll(options));
  for (const core::NodeSpec& node : nodes) {
    for (const std::optional<CommandTemplate>* tmpl : {&t.on, &t.off, &t.status}) {
      if (*tmpl) EBB_RETURN_IF_ERROR((*tmpl)->CheckNode(node));
    }
    if (options.driver == "wol") {
      core::Result<MacAddress> mac = NodeMac(node);
      if (!mac.ok()) return mac.status();
    }
    if (options.driver == "process") EBB_RETURN_IF_ERROR(CheckProcessNodeName(node.name));
  }
  return core::Status::Ok();
}

}  // namespace ebb::power
