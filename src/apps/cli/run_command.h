// `ebb run CONFIG.toml [--dry-run] [--set key=value]... [--log-level LEVEL]`: the daemon.
// `ebb haproxy-config CONFIG.toml`: the backend block with one `server` line per [[node]], to
// include in haproxy.cfg.
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddRunCommand(CLI::App& app);
void AddHaproxyConfigCommand(CLI::App& app);

}  // namespace ebb::cli
