#!/usr/bin/env bash
# The README's policy table: every policy on the whole NASA July 1995 trace (bench/nasa-july.toml),
# as a Markdown table. Needs ../shared/data beside the checkout and a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
ebb=${EBB:-build/release/src/apps/cli/ebb}
echo "| policy | SLA share (≤ 5 s) | p99 response | energy | saved vs always-on | share of optimum saving | boots |"
echo "|---|---|---|---|---|---|---|"
for policy in always-on threshold dynamic-threshold regression regression-mean; do
  "$ebb" simulate bench/nasa-july.toml --set policy.name="$policy" --json | jq -r '
    "| \(.policy) | \(.sla_ok_ratio * 1e6 | floor / 1e4) % | \(.response_time_s.p99 * 1e3 | round / 1e3) s | \(.energy_kwh * 10 | round / 10) kWh | \(.saving_ratio * 1e3 | round / 10) % | \(.share_of_optimum_saving * 1e3 | round / 10) % | \(.boots) |"'
done
"$ebb" simulate bench/nasa-july.toml --json | jq -r '
  "| offline optimum | | | \(.optimum.energy_kwh * 10 | round / 10) kWh | \(.optimum.saving_ratio * 1e3 | round / 10) % | 100 % | |"'
