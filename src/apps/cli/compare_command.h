// `ebb compare CONFIG.toml --policies a,b,c [--traces t1,t2] [--out DIR] [--jobs N] [--json]`,
// `ebb compare CONFIG.toml --policies ... --emit DIR` and `ebb compare --collect DIR`
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddCompareCommand(CLI::App& app);

}  // namespace ebb::cli
