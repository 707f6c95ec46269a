#!/usr/bin/env bash
# The main job on the bundled default: installs what is missing, builds the release binary and
# simulates one day of real NASA traffic (examples/nasa-day.toml), printing the summary and
# writing the report folder out/nasa-day/. Extra arguments go to `ebb simulate`.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ebb
./build/release/src/apps/cli/ebb simulate examples/nasa-day.toml --out out/nasa-day "$@"
