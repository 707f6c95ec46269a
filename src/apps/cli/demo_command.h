// `ebb demo [--nodes N] [--minutes M] [--trace FILE] [--keep DIR] [--json] ...`: the whole
// system live on loopback (haproxy, testserver nodes, the daemon, a replayed real trace), then a
// summary beside the simulator's prediction. See tools/demo/demo.h.
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddDemoCommand(CLI::App& app);

}  // namespace ebb::cli
