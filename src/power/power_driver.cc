#include "power/power_driver.h"

namespace ebb::power {

std::string_view ToString(PowerAction action) { return action == PowerAction::kOn ? "on" : "off"; }

}  // namespace ebb::power
