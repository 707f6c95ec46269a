#!/usr/bin/env bash
# Writes a synthetic bursty per-second trace (unix_time,requests) to $1: a week of a diurnal load
# (20 to 60 requests/s) with the two patterns that hurt policies on real event streams: a burst
# to 3x the load for 8 minutes every 3 hours, and once a day an upstream outage (no requests for
# 6 minutes) after which the load returns at its full rate. Deterministic; no randomness here
# (`ebb simulate` draws Poisson arrivals from each second's rate).
set -euo pipefail
out=${1:?usage: bursty_trace.sh OUT.csv [DAYS]}
days=${2:-7}
awk -v days="$days" 'BEGIN {
  print "unix_time,requests";
  start = 1500000000; pi = atan2(0, -1);
  for (t = 0; t < days * 86400; t++) {
    day_s = t % 86400;
    rate = 40 - 20 * cos(2 * pi * day_s / 86400);
    if (t % 10800 >= 10320) rate *= 3;            # 8 minutes of 3x every 3 hours
    if (day_s >= 57600 && day_s < 57960) rate = 0;  # 6 minutes of outage at 16:00
    printf "%d,%.3f\n", start + t, rate;
  }
}' > "$out"
