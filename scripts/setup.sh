#!/usr/bin/env bash
# Installs the Debian packages ebb needs to build and test, only those that are missing.
# Runs as root or through sudo; safe to run again.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  zlib1g-dev libboost-dev                 # gzip input; Asio for the network tools
  libsqlite3-dev libspdlog-dev libcpp-httplib-dev   # the daemon: state store, logs, /metrics
  tmux                                    # the demo's live view is tested in a real terminal
  haproxy nginx-light                     # real peers of the integration tests
  time jq wrk curl python3                # used by the benchmark scripts in bench/
  chromium                                # headless: the test that renders `ebb compare`'s page
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
# Packages with services must not start them here (no init in containers and CI); the tests
# start their own instances on loopback.
policy_rc=/usr/sbin/policy-rc.d
if [[ ! -e $policy_rc ]]; then
  printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy_rc" >/dev/null
  "${sudo_cmd[@]}" chmod +x "$policy_rc"
  trap '"${sudo_cmd[@]}" rm -f "$policy_rc"' EXIT
fi
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
