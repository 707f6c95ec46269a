// A small, fast `ebb simulate` setup for tests: a synthetic per-second trace (a few minutes of a
// load that rises and falls) and a configuration for a four-node cluster that reads it.
#pragma once

#include <filesystem>
#include <string>

namespace ebb::testing {

struct SmallSimulation {
  std::filesystem::path config;
  std::filesystem::path trace;
};

// Writes `name`.csv (`seconds` rows from Unix time 1000, peaking at `peak_rps`) and `name`.toml
// into `dir`. The configuration names the trace by its file name (relative to the config).
SmallSimulation WriteSmallSimulation(const std::filesystem::path& dir, const std::string& name,
                                     int seconds = 300, double peak_rps = 60);

// Writes only a trace like WriteSmallSimulation's.
std::filesystem::path WriteSmallTrace(const std::filesystem::path& path, int seconds,
                                      double peak_rps);

}  // namespace ebb::testing
