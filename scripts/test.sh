#!/usr/bin/env bash
# Every test: installs what is missing, builds the `dev` preset and runs all tests with ctest,
# then does the same in the AddressSanitizer + UndefinedBehaviorSanitizer build.
# EBB_TEST_PRESETS="dev" limits it to the listed presets.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)
for preset in ${EBB_TEST_PRESETS:-dev asan-ubsan}; do
  echo "== $preset: build"
  start=$SECONDS
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset: built in $((SECONDS - start)) s; test"
  start=$SECONDS
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset "$preset" -j "$jobs" --timeout 900
  echo "== $preset: tested in $((SECONDS - start)) s"
done
