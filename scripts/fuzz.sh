#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ (Clang, AddressSanitizer + UndefinedBehaviorSanitizer) and
# runs each for SECONDS (default 60) on its seed corpus, one after the other. New inputs go to
# build/fuzz/corpus/<name>/ (fuzz/corpus/ holds only the seeds); a crash is written to
# build/fuzz/artifacts/<name>/ and makes the script exit non-zero after the remaining targets ran.
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 300 http_url trace_reader
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(http_log_line http_request_parser http_response_parser http_url trace_reader sim_config
           haproxy_show_stat haproxy_show_info haproxy_servers_state command_template live_config)
fi

# libFuzzer's runtime comes with Clang's compiler-rt; install what is missing, like setup.sh.
./scripts/setup.sh
missing=()
for p in clang libclang-rt-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "fuzz: installing ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi

build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DEBB_FUZZ=ON -DEBB_BUILD_TESTS=OFF -DEBB_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target fuzzers -j "${EBB_FUZZ_BUILD_JOBS:-$(nproc)}"

failed=()
for t in "${targets[@]}"; do
  echo "== $t: ${seconds}s"
  mkdir -p "$build/corpus/$t" "$build/artifacts/$t"
  if ! "$build/fuzz/${t}_fuzzer" "$build/corpus/$t" "fuzz/corpus/$t" \
    -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t/" 2>"$build/$t.log"; then
    failed+=("$t")
    tail -n 40 "$build/$t.log" >&2
  fi
  grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec' "$build/$t.log" || true
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
