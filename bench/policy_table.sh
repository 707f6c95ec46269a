#!/usr/bin/env bash
# The README's policy tables: every policy on each benchmark case through `ebb compare`, as
# Markdown. Cases: the whole NASA July 1995 trace (bench/nasa-july.toml), the busiest World Cup
# day on 1,000 nodes (bench/worldcup98-1000.toml), a synthetic bursty week (bench/bursty.toml,
# trace written by bench/bursty_trace.sh) and, with ALL=1, the whole World Cup trace
# (bench/worldcup98.toml, about 20 minutes more). Needs ../shared/data beside the checkout and a
# release build; OUT (default /tmp/ebb-policy-table) keeps each case's report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
ebb=${EBB:-build/release/src/apps/cli/ebb}
out=${OUT:-/tmp/ebb-policy-table}
policies=always-on,threshold,dynamic-threshold,regression,regression-mean,sla-sizing,delayed-off,lcp,reserves
cases="nasa-july worldcup98-1000 bursty"
[[ ${ALL:-0} == 1 ]] && cases="$cases worldcup98"
bench/bursty_trace.sh /tmp/ebb-bursty.csv
for c in $cases; do
  "$ebb" compare "bench/$c.toml" --policies "$policies" --out "$out/$c" >/dev/null
  echo "#### $c"
  echo
  echo "| policy | SLA share (≤ 5 s) | p99 | energy | saved vs always-on | share of optimum saving | boots per node per day | cost C |"
  echo "|---|---|---|---|---|---|---|---|"
  tail -n +2 "$out/$c/league.csv" | awk -F, '{
    printf "| %s | %.3f %% | %.2f s | %.1f kWh | %.1f %% | %.1f %% | %.1f | %.1f |\n",
      $2, 100 * $3, $4, $5, 100 * $6, 100 * $7, $8, $9 }'
  jq -r '"| offline optimum | | | \(.optimum.energy_kwh * 10 | round / 10) kWh | \(.optimum.saving_ratio * 1e3 | round / 10) % | 100 % | | |"' \
    "$out/$c/runs/"*/always-on/summary.json
  echo
done
