// `ebb logstat FILE... [--json] [--per-second OUT.csv] [--sla-ms 5000]`
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddLogstatCommand(CLI::App& app);

}  // namespace ebb::cli
