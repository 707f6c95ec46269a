// How OptimalReserves searches: renewal-reward over the cycles of the reserve block, so that every
// (D, U) for one m costs O(1) instead of a solution of the chain.
//
// A cycle is an off period, from the departure that leaves D jobs to the arrival that makes U + 1,
// then an on period, from that arrival (setup starts) to the next departure that leaves D jobs.
// Both are sums of one-level first passages whose expected time and job-time integral do not
// depend on D or U: the climb j -> j + 1 with the reserves off (birth-death with rates lambda and
// min(j, n) mu), the descent i -> i - 1 with them on (lambda, min(i, N) mu), and the descent
// i -> i - 1 that starts during the setup, which ends still in setup with probability g_i or
// with the reserves on otherwise. For one m these are O(max_up) recursions (closed forms above
// N, where the levels repeat); then, for each U, letting D run from U down to 0 adds one passage
// of each kind per step. The cost is (c1 * jobs-time + c2 * powered-time) / cycle time.
//
// Complexity: O(N * max_up^2) additions for the whole search (max_up = 2N by default: O(N^3)),
// O(N + max_up) memory; m whose always-on servers alone cost more than the best so far
// (c2 n + c1 L(M/M/N) >= best) are skipped, which is a valid bound because L under any policy is
// at least L of the M/M/N with every server on. Long double keeps the passage times, which grow
// like rho^N / N! for a loaded cluster, finite up to N of several thousand; a candidate whose
// numbers overflow is skipped (it is then not the optimum by a wide margin, and the heuristic is
// always a candidate).
#pragma once

#include "core/status.h"
#include "queueing/reserves_model.h"

namespace ebb::queueing {

// The cost of one policy by the cycle method: the same number as EvaluateReserves(...).cost by an
// independent derivation (the tests compare the two).
core::Result<double> ReservesCostByCycles(const ReservesParams& params,
                                          const ReservesThresholds& thresholds);

}  // namespace ebb::queueing
