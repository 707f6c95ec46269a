#!/usr/bin/env bash
# `ebb logstat` throughput against awk on a ~1 GB HAProxy log built by repeating the real no7dw
# log (../shared/data/haproxy/logs/real). Hot cache: one warm-up read, then the median of 5 runs
# of each. awk extracts the same timer, Tr (the 4th of the slash-separated timers field, $10 with
# the syslog header), and averages it over lines where it is >= 0.
#
#   bench/logstat_bench.sh [path/to/ebb]     (default: the `release` preset's build/release/src/apps/cli/ebb)
# Environment: LOGSTAT_BENCH_MB (default 1024), LOGSTAT_BENCH_FILE (default /tmp/ebb_logstat_bench.log)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
ebb=${1:-$repo/build/release/src/apps/cli/ebb}
source_log=$repo/../shared/data/haproxy/logs/real/no7dw_haproxy_2014-12-24.log
target_mb=${LOGSTAT_BENCH_MB:-1024}
big=${LOGSTAT_BENCH_FILE:-/tmp/ebb_logstat_bench.log}
awk_bin=${AWK:-awk}

[[ -x $ebb ]] || { echo "no ebb binary at $ebb (build it, or pass its path)" >&2; exit 2; }
[[ -r $source_log ]] || { echo "missing $source_log" >&2; exit 2; }

target_bytes=$((target_mb * 1024 * 1024))
if [[ ! -f $big ]] || (( $(stat -c %s "$big") < target_bytes )); then
  echo "building $big (~$target_mb MB) from $(basename "$source_log")" >&2
  tmp=$big.tmp.$$
  : > "$tmp"
  chunk=$tmp.chunk
  for _ in $(seq 32); do cat "$source_log"; done > "$chunk"  # ~90 MB per append
  while (( $(stat -c %s "$tmp") < target_bytes )); do cat "$chunk" >> "$tmp"; done
  rm -f "$chunk"
  mv "$tmp" "$big"
fi
bytes=$(stat -c %s "$big")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
cat "$big" > /dev/null  # hot cache

now() { date +%s.%N; }
# median_time CMD...: runs CMD 5 times (output discarded), prints the median wall time in s.
median_time() {
  local times=()
  for _ in 1 2 3 4 5; do
    local t0 t1
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

awk_tr() {
  LC_ALL=C "$awk_bin" '{ split($10, t, "/"); if (t[4] != "" && t[4] >= 0) { s += t[4]; n++ } }
    END { if (n) printf "%d %.4f\n", n, s / n }' "$big"
}

# Cross-check once: same count and mean of Tr.
ebb_check=$("$ebb" logstat --json "$big" 2>/dev/null |
  python3 -c 'import json,sys; t=json.load(sys.stdin)["service_time_ms"]; print(t["count"], "%.4f" % t["mean"])')
awk_check=$(awk_tr)
echo "Tr count/mean: ebb $ebb_check | awk $awk_check"

ebb_s=$(median_time "$ebb" logstat --json "$big")
awk_s=$(median_time awk_tr)
awk -v mb="$mb" -v e="$ebb_s" -v a="$awk_s" -v awkname="$("$awk_bin" -W version 2>&1 | head -1)" 'BEGIN {
  printf "file: %.1f MB, median of 5, hot cache\n", mb
  printf "ebb logstat --json : %7.3f s  %8.1f MB/s\n", e, mb / e
  printf "awk Tr mean        : %7.3f s  %8.1f MB/s  (%s)\n", a, mb / a, awkname
  printf "ratio ebb/awk      : %.1fx\n", a / e
}'
