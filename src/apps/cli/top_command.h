// `ebb top [URL] [--once] [--interval S]`: a live terminal view of a running `ebb run` daemon
// (nodes by state and why, load and forecast, the last decisions), from its /status document.
// Quits on q or Ctrl-C; --once prints one plain screen for scripts (exit 1 when the daemon
// cannot be reached).
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddTopCommand(CLI::App& app);

}  // namespace ebb::cli
