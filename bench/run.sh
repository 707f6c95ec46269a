#!/usr/bin/env bash
# Every benchmark figure the issues name, on a release build:
#   1. simulator speed on M/M/c (lambda 90/s, mu 10/s, c 10): Google Benchmark, 5 repetitions
#   2. memory of a 200-million-request M/M/c run (max RSS, GNU time)
#   3. the whole WorldCup98 trace per request (wall time and max RSS)
#   4. the README's policy table on the whole NASA July trace
# Needs ../shared/data beside the checkout. Takes about 5 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)"; exit 2; }
cmake --preset release >/dev/null
cmake --build --preset release --target ebb sim_benchmark
ebb=build/release/src/apps/cli/ebb

echo "== 1. M/M/c speed (items_per_second = simulated requests per wall second)"
build/release/bench/sim_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

echo "== 2. 200 million requests: memory"
/usr/bin/time -f "max RSS %M KiB, wall %e s" \
  "$ebb" simulate bench/mmc.toml --set workload.duration_s=2222222 --json |
  jq -r '"\(.requests) requests, \(.requests / .wall_s / 1e6) M/s, mean response \(.response_time_s.mean) s"'

echo "== 3. WorldCup98, 1.35 billion requests"
/usr/bin/time -f "max RSS %M KiB, wall %e s" "$ebb" simulate bench/worldcup98.toml

echo "== 4. policies on NASA July"
EBB=$ebb bench/policy_table.sh
