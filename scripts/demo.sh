#!/usr/bin/env bash
# The main job on the bundled default: installs what is missing, builds the release binary and
# runs `ebb demo`: a real haproxy in front of six `ebb testserver` nodes that the daemon
# (`ebb run`) powers on and off, one day of real NASA traffic (data/) replayed through it in three
# minutes, a live view of the nodes, and a summary beside the simulator's prediction. Extra
# arguments go to `ebb demo` (--minutes, --nodes, --keep DIR, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ebb
exec ./build/release/src/apps/cli/ebb demo "$@"
