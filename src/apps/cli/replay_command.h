// `ebb replay TRACE --target http://HOST:PORT/PATH [--speedup F] [--scale F] [--duration S]
//  [--arrivals poisson|exact] [--connections N] [--timeout-ms T] [--max-rate] [--json]
//  [--sla-ms MS] [--seed N]`: sends a trace's requests to one HTTP target at their times.
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddReplayCommand(CLI::App& app);

}  // namespace ebb::cli
