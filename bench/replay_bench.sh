#!/usr/bin/env bash
# `ebb replay` speed against Debian's nginx on loopback (issue 3):
#   1. max rate: `wrk -t1 -cN -d10s` and `ebb replay --max-rate --connections N --duration 10`,
#      alternating, RUNS runs each; medians of requests/s and their ratio (target: >= 90 %)
#   2. schedule precision: a synthetic per-second trace of RATE requests/s for SECONDS s,
#      replayed open loop; schedule lag p50/p99/max (target: p99 <= 2 ms)
# nginx runs in a temporary prefix on a free port (worker_processes 1, access_log off, a small
# static file) and is stopped on exit. Usage:
#   bench/replay_bench.sh [EBB_BINARY]     env: CONNECTIONS=50 RUNS=3 DURATION=10 RATE=5000
#                                               SECONDS_=20 ARRIVALS=exact PARTS=12
#                                               SPIN_US="50" (several: "0 20 100")
#                                               PRIORITY="chrt -f 10" (runs ebb at real-time
#                                               priority in part 2: shows what CPU contention costs)
set -euo pipefail
cd "$(dirname "$0")/.."
EBB=${1:-build/release/src/apps/cli/ebb}
CONNECTIONS=${CONNECTIONS:-50}
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
RATE=${RATE:-5000}
TRACE_SECONDS=${SECONDS_:-20}
ARRIVALS=${ARRIVALS:-exact}
PARTS=${PARTS:-12}
SPIN_US=${SPIN_US:-50}
PRIORITY=${PRIORITY:-}
NGINX=${NGINX:-/usr/sbin/nginx}
for tool in "$EBB" "$NGINX" wrk jq python3 curl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "replay_bench: needs $tool" >&2; exit 2; }
done

dir=$(mktemp -d /tmp/ebb_replay_bench.XXXXXX)
chmod 755 "$dir"  # nginx's workers run as nobody when started by root
nginx_pid=
cleanup() {
  if [[ -n $nginx_pid ]]; then kill "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$dir/www" "$dir/logs"
head -c 612 /dev/zero | tr '\0' 'x' >"$dir/www/index.html"  # the size of nginx's welcome page
cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    root $dir/www;
    location / { }
  }
}
CONF
"$NGINX" -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/index.html" >/dev/null 2>&1 && break
  sleep 0.1
done
url="http://127.0.0.1:$port/index.html"
curl -sf "$url" >/dev/null || { echo "replay_bench: nginx does not serve $url" >&2; cat "$dir/logs/error.log" >&2; exit 1; }
echo "nginx $($NGINX -v 2>&1 | sed 's/.*\///') on $url (pid $nginx_pid); $(nproc) CPUs"

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

if [[ $PARTS == *1* ]]; then
echo "== 1. max rate, $CONNECTIONS connections, ${DURATION} s, $RUNS runs each (alternating)"
wrk_rps=() ebb_rps=()
for run in $(seq "$RUNS"); do
  w=$(wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" "$url" |
        awk '/Non-2xx|Socket errors/ {print "wrk: " $0 > "/dev/stderr"} /^Requests\/sec:/ {print $2}')
  e=$("$EBB" replay --target "$url" --max-rate --connections "$CONNECTIONS" \
        --duration "$DURATION" --json | jq 'if .errors.total > 0 then error("errors: \(.errors)") else .achieved_rps end')
  printf '  run %d: wrk %10.0f rps   ebb %10.0f rps\n' "$run" "$w" "$e"
  wrk_rps+=("$w") ebb_rps+=("$e")
done
wrk_median=$(printf '%s\n' "${wrk_rps[@]}" | median)
ebb_median=$(printf '%s\n' "${ebb_rps[@]}" | median)
awk -v w="$wrk_median" -v e="$ebb_median" 'BEGIN {
  printf "  median: wrk %.0f rps, ebb %.0f rps, ebb/wrk = %.1f %% (target >= 90 %%)\n", w, e, 100 * e / w }'
fi
[[ $PARTS == *2* ]] || exit 0

trace="$dir/rate.csv"
{ echo "unix_time,requests"; for s in $(seq 0 $((TRACE_SECONDS - 1))); do echo "$((1000000000 + s)),$RATE"; done; } >"$trace"
for spin in $SPIN_US; do
echo "== 2. schedule: $RATE requests/s for $TRACE_SECONDS s (--arrivals $ARRIVALS, --spin-us $spin${PRIORITY:+, $PRIORITY})"
/usr/bin/time -f "%U %S %P" -o "$dir/cpu" $PRIORITY \
  "$EBB" replay "$trace" --target "$url" --arrivals "$ARRIVALS" --connections "$CONNECTIONS" \
  --spin-us "$spin" --json >"$dir/schedule.json"
read -r user sys share <"$dir/cpu"
echo "  ebb's CPU: user $user s, system $sys s ($share of a core)"
jq -r '"  sent \(.sent), completed \(.completed), errors \(.errors.total), achieved \(.achieved_rps | floor) rps",
         "  schedule lag ms: p50 \(.schedule_lag_ms.p50) p99 \(.schedule_lag_ms.p99) max \(.schedule_lag_ms.max) (target p99 <= 2)",
         "  response ms: p50 \(.response_ms.p50) p99 \(.response_ms.p99) max \(.response_ms.max); connections opened \(.connections_opened)"' "$dir/schedule.json"
done
