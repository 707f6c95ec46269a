#include "power/power_driver.h"

namespace ebb::power {

std::string_view ToString(PowerAction action) { return action == PowerAction::kOn ? "on" : "off"; }

std::string_view ToString(PowerStatus status) {
  switch (status) {
    case PowerStatus::kOn:
      return "on";
    case PowerStatus::kOff:
      return "off";
    case PowerStatus::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string PowerDriver::DescribeCommand(const core::NodeSpec& spec, PowerAction action) const {
  return std::string(ToString(action)) + " " + spec.name;
}

}  // namespace ebb::power
