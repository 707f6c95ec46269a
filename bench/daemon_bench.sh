#!/usr/bin/env bash
# The daemon's cost with 1,000 nodes (the issue's acceptance criterion), on a release build:
#   1. one tick (fetch and parse `show stat`, decide, record) against HAProxy's own time to
#      answer `show stat`, side by side in one process: bench/daemon_tick_benchmark, REPETITIONS
#      repetitions in random interleaving, medians (target: tick <= 1.5x show stat)
#   2. `ebb run` on the same cluster for RSS_SECONDS s, RSS_RUNS times: VmRSS and VmHWM from
#      /proc, CPU per tick, and a clean exit on SIGTERM (target: RSS <= 15 MB)
#   3. `ebb run` ticking every 50 ms for RSS_SECONDS s: the whole daemon's CPU time per tick
#      (/status snapshot included) beside haproxy's
# The cluster: a real haproxy on loopback with NODES servers in backend `web` (server lines from
# `ebb haproxy-config`), READY of them in rotation and checked against a tiny 200 listener in
# the same haproxy, the others in maint (powered off); a `command` power driver running
# /bin/true. Everything lives in a temporary folder, removed on exit with the haproxy stopped.
# Usage: bench/daemon_bench.sh      env: NODES=1000 READY=50 POLICY=regression REPETITIONS=5
#                                        RSS_RUNS=3 RSS_SECONDS=10 HAPROXY=/usr/sbin/haproxy
#                                        PARTS=123 (any of them)
set -euo pipefail
cd "$(dirname "$0")/.."
NODES=${NODES:-1000}
READY=${READY:-50}
POLICY=${POLICY:-regression}
REPETITIONS=${REPETITIONS:-5}
RSS_RUNS=${RSS_RUNS:-3}
RSS_SECONDS=${RSS_SECONDS:-10}
HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
PARTS=${PARTS:-123}
for tool in "$HAPROXY" jq curl python3; do
  command -v "$tool" >/dev/null || { echo "daemon_bench: needs $tool" >&2; exit 2; }
done

[[ -f build/release/build.ninja ]] || cmake --preset release >/dev/null
cmake --build --preset release --target ebb daemon_tick_benchmark >/dev/null
ebb=build/release/src/apps/cli/ebb
bench=build/release/bench/daemon_tick_benchmark

dir=$(mktemp -d /tmp/ebb_daemon_bench.XXXXXX)
haproxy_pid=
daemon_pid=
cleanup() {
  for pid in $daemon_pid $haproxy_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
node_port=$(free_port)
frontend_port=$(free_port)
http_port=$(free_port)

cat >"$dir/ebb.toml" <<TOML
[cluster]
boot_s = 60
shutdown_s = 20
capacity_rps = 100

[policy]
name = "$POLICY"
interval_s = 1
min_nodes = $READY

[haproxy]
socket = "$dir/admin.sock"
backend = "web"

[power]
driver = "command"
on = ["/bin/true"]
off = ["/bin/true"]

[state]
path = "$dir/ebb.db"

[http]
listen = "127.0.0.1:$http_port"
TOML
for i in $(seq 1 "$NODES"); do
  printf '\n[[node]]\nname = "web%04d"\nhost = "127.0.0.1"\nport = %d\n' "$i" "$node_port"
done >>"$dir/ebb.toml"

# ebb's own server lines; the servers beyond READY start `disabled` (maint), as the powered-off
# nodes of a cluster at its floor would be.
{
  cat <<CFG
global
  stats socket $dir/admin.sock level admin
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 10s
  timeout server 10s
  timeout queue 5s
  timeout check 2s
frontend fe
  bind 127.0.0.1:$frontend_port
  default_backend web
frontend node
  bind 127.0.0.1:$node_port
  http-request return status 200 content-type text/plain string ok
CFG
  "$ebb" haproxy-config "$dir/ebb.toml" |
    awk -v ready="$READY" '/^ *server / { n++; if (n > ready) $0 = $0 " disabled" } { print }'
} >"$dir/haproxy.cfg"
"$HAPROXY" -c -q -f "$dir/haproxy.cfg"
"$HAPROXY" -f "$dir/haproxy.cfg" -db >"$dir/haproxy.log" 2>&1 &
haproxy_pid=$!

runtime_api() {
  python3 - "$dir/admin.sock" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while chunk := s.recv(65536):
    out += chunk
sys.stdout.write(out.decode())
PY
}
up=0
for _ in $(seq 100); do
  if [[ -S $dir/admin.sock ]]; then
    up=$(runtime_api "show stat web 4 -1" 2>/dev/null | awk -F, '$2 != "BACKEND" && $18 == "UP"' |
           wc -l)
    [[ $up -ge $READY ]] && break
  fi
  sleep 0.2
done
[[ $up -ge $READY ]] || { echo "daemon_bench: haproxy: $up of $READY servers UP" >&2; cat "$dir/haproxy.log" >&2; exit 1; }
echo "haproxy $("$HAPROXY" -v | head -1 | awk '{print $3}') (pid $haproxy_pid): backend web, $NODES servers, $up UP, $((NODES - READY)) in maint; $(nproc) CPUs"

if [[ $PARTS == *1* ]]; then
echo "== 1. one tick vs HAProxy's show stat ($REPETITIONS repetitions, random interleaving)"
"$bench" --benchmark_repetitions="$REPETITIONS" --benchmark_report_aggregates_only=true \
  --benchmark_enable_random_interleaving=true --benchmark_min_time=0.5 \
  --benchmark_out="$dir/bench.json" --benchmark_out_format=json "$dir/ebb.toml"
jq -r '
  def median(name): [.benchmarks[] | select(.run_name == name + "/real_time" and .aggregate_name == "median")][0];
  . as $root |
  median("BM_ShowStat").real_time as $show |
  median("BM_Tick").real_time as $tick |
  median("BM_Poll").real_time as $poll |
  median("BM_Decide").real_time as $decide |
  median("BM_TickVsShowStat") as $pair |
  median("BM_StatusNodesJson").real_time as $json |
  "  medians: show stat \($show | floor) us, tick \($tick | floor) us (poll \($poll | floor) us, controller + policy \($decide | floor) us)",
  "  tick / show stat: \($tick / $show * 100 | round / 100) (separate benchmarks), \($pair.tick_per_show_stat * 100 | round / 100) (paired: \($pair.show_stat_us | floor) us vs \($pair.tick_us | floor) us); target <= 1.5",
  "  not in the tick: one /status request renders the nodes JSON in \($json | floor) us",
  "  commit of k changed nodes + transitions + decision: " +
    ([1, 10, 1000] | map(. as $k | "k=\($k) \($root | median("BM_Commit/\($k)").real_time | floor) us") |
     join(", "))
' "$dir/bench.json"
fi

# Starts `ebb run` with extra arguments; waits, bounded, for its first tick. Sets daemon_pid.
start_daemon() {
  rm -f "$dir"/ebb.db*
  "$ebb" run "$dir/ebb.toml" --log-level warn "$@" >"$dir/daemon.log" 2>&1 &
  daemon_pid=$!
  ticks=0
  for _ in $(seq 100); do
    ticks=$(curl -sf "http://127.0.0.1:$http_port/status" 2>/dev/null | jq '.counters.ticks // 0' 2>/dev/null || echo 0)
    [[ $ticks -ge 1 ]] && break
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  [[ $ticks -ge 1 ]] || { echo "daemon_bench: ebb run did not tick" >&2; cat "$dir/daemon.log" >&2; exit 1; }
}
# SIGTERM; the daemon must exit 0.
stop_daemon() {
  kill -TERM "$daemon_pid"
  for _ in $(seq 100); do
    kill -0 "$daemon_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$daemon_pid" 2>/dev/null; then
    echo "daemon_bench: ebb run ignored SIGTERM for 10 s" >&2
    exit 1
  fi
  local rc=0
  wait "$daemon_pid" || rc=$?
  daemon_pid=
  [[ $rc -eq 0 ]] || { echo "daemon_bench: ebb run exited $rc after SIGTERM" >&2; cat "$dir/daemon.log" >&2; exit 1; }
}
clk=$(getconf CLK_TCK)

if [[ $PARTS == *2* ]]; then
echo "== 2. ebb run with $NODES nodes: memory ($RSS_RUNS runs of ${RSS_SECONDS} s)"
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
rss_all=() hwm_all=()
for run in $(seq "$RSS_RUNS"); do
  start_daemon
  read -r utime0 stime0 < <(awk '{print $14, $15}' "/proc/$daemon_pid/stat")
  sleep "$RSS_SECONDS"
  status=$(curl -sf "http://127.0.0.1:$http_port/status")
  read -r utime1 stime1 < <(awk '{print $14, $15}' "/proc/$daemon_pid/stat")
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status")
  hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status")
  parts=$(awk '/^(RssAnon|RssFile|RssShmem):/ {printf "%s%s %.1f MB", sep, $1, $2 / 1024; sep = ", "}
               /^Threads:/ {threads = $2} END {printf ", %d threads", threads}' "/proc/$daemon_pid/status")
  if [[ $run -eq 1 ]]; then
    # Where the resident pages are: heap, and each library mapped (shared pages count in full).
    awk '$1 ~ /^[0-9a-f]+-[0-9a-f]+$/ { name = NF >= 6 ? $6 : "[anon]"; sub(/.*\//, "", name) }
         $1 == "Rss:" { rss[name] += $2 }
         END { for (n in rss) if (rss[n] >= 256) printf "%d %s\n", rss[n], n }' "/proc/$daemon_pid/smaps" |
      sort -rn | awk '{ printf "%s%s %.1f MB", sep, $2, $1 / 1024; sep = ", " } END { print "" }' |
      sed 's/^/  largest mappings: /'
  fi
  [[ -n ${KEEP_DAEMON:-} ]] && { echo "  daemon pid $daemon_pid in $dir; press enter to go on"; read -r; }
  ticks1=$(jq '.counters.ticks // 0' <<<"$status")
  nodes=$(jq -r '[.nodes[].state] | group_by(.) | map("\(length) \(.[0])") | join(", ")' <<<"$status")
  failures=$(jq '.counters.poll_failures + .counters.store_failures' <<<"$status")
  stop_daemon
  [[ $failures -eq 0 ]] || { echo "daemon_bench: $failures poll/store failures" >&2; exit 1; }
  awk -v r="$rss" -v h="$hwm" -v run="$run" -v t=$((ticks1 - ticks)) -v nodes="$nodes" -v parts="$parts" \
      -v cpu=$((utime1 + stime1 - utime0 - stime0)) -v clk="$clk" 'BEGIN {
    printf "  run %d: RSS %.1f MB (peak %.1f MB; %s); %d ticks, %.2f ms CPU per tick; nodes: %s; exit 0 on SIGTERM\n",
      run, r / 1024, h / 1024, parts, t, (t > 0 ? 1000 * cpu / clk / t : 0), nodes }'
  rss_all+=("$rss") hwm_all+=("$hwm")
done
rss_median=$(printf '%s\n' "${rss_all[@]}" | median)
hwm_median=$(printf '%s\n' "${hwm_all[@]}" | median)
awk -v r="$rss_median" -v h="$hwm_median" -v n="$NODES" 'BEGIN {
  printf "daemon RSS with %d nodes: %.1f MB (peak %.1f MB); target <= 15 MB\n", n, r / 1024, h / 1024 }'
fi

if [[ $PARTS == *3* ]]; then
# 20 ticks a second, so that CPU time per tick is measured to a few percent; the policy's windows
# are scaled to the same sample counts as at interval_s = 1 (120 and 15 samples).
echo "== 3. ebb run ticking every 50 ms with $NODES nodes (${RSS_SECONDS} s): CPU per tick"
start_daemon --set policy.interval_s=0.05 --set policy.history_s=6 --set policy.mean_s=0.75
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ebb0=$(cpu_of "$daemon_pid") haproxy0=$(cpu_of "$haproxy_pid")
sleep "$RSS_SECONDS"
ticks1=$(curl -sf "http://127.0.0.1:$http_port/status" | jq '.counters.ticks // 0')
ebb1=$(cpu_of "$daemon_pid") haproxy1=$(cpu_of "$haproxy_pid")
stop_daemon
awk -v t=$((ticks1 - ticks)) -v ebb=$((ebb1 - ebb0)) -v haproxy=$((haproxy1 - haproxy0)) \
    -v clk="$clk" 'BEGIN {
  printf "  %d ticks: ebb %.0f us CPU per tick (all threads, /status snapshot included), haproxy %.0f us CPU per tick (answering the polls, and 25 health checks/s)\n",
    t, 1e6 * ebb / clk / t, 1e6 * haproxy / clk / t }'
fi
