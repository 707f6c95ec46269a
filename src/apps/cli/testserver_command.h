// `ebb testserver --port P [--bind ADDR] [--service-time DIST] [--workers K] [--queue N]
//                 [--mode sleep|cpu] [--seed S] [--status-after WHEN:CODE[:SCOPE]]... [--grace S]`
// A stand-in web application node with a real capacity, for HAProxy and the daemon on loopback.
#pragma once

#include <CLI/CLI.hpp>

namespace ebb::cli {

void AddTestserverCommand(CLI::App& app);

}  // namespace ebb::cli
