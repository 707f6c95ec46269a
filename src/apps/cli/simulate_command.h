// `ebb simulate CONFIG.toml [--set key=value]... [--out DIR] [--json]`
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddSimulateCommand(CLI::App& app);

}  // namespace ebb::cli
