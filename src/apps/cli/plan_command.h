// `ebb plan reserves --servers N --setup-rate NU --c1 C1 --c2 C2 --arrival-rate L --service-rate
// MU [--reserves M --down D --up U] [--json]`: capacity planning from queueing models.
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddPlanCommand(CLI::App& app);

}  // namespace ebb::cli
