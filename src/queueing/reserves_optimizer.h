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
// N, where the levels repeat); then, for each D, raising U by one adds a climb and a descent and
// multiplies the chance of being still in setup at every lower level by the new top's g, an O(1)
// update. The cost is (c1 * jobs-time + c2 * powered-time) / cycle time.
//
// Pruning, exact (no candidate that could beat the best is skipped): a cycle beats a cost rate c
// iff the sum of its passages' (cost integral - c * time) is negative. The cycle (D, U) is the
// run of pairs (climb from k, descent from k + 1) for k in [D, U] plus its first descent's setup,
// so least sums of runs bound whole families: all D' >= D for one m, and all U' > U for one
// (m, D). The m are tried cheapest-M/M/n first (the optimum often nearly never powers the
// reserves, where the cost is flat in D and U and nothing prunes), and m with c2 n + c1 L(M/M/N)
// >= best are skipped (L under any policy is at least that of the M/M/N with every server on).
// On a tie within 1e-12 the first found (lowest D, then U) is kept.
//
// Complexity: O(N * max_up^2) steps in the worst case (max_up = 2N by default: O(N^3)), O(N +
// max_up) memory per m; the pruning leaves about O(N^2) in practice. Measured on one core of the
// project's machine over 27 parameter sets each (mu = 1, c1 = 1, load lambda / (N mu) 0.3, 0.7,
// 0.9, nu 1/60, 1, 10, c2 0.2, 1, 5), mean / worst: N = 10: 0.03 / 0.05 ms; N = 50: 0.6 / 1.0 ms;
// N = 200: 10 / 20 ms; N = 1000: 340 / 530 ms. A caller that re-plans often on a large cluster
// can pass a lower max_up, or re-plan only when lambda has moved.
//
// Long double keeps the passage times, which grow like rho^N / N! for a loaded cluster, finite up
// to N of several thousand; a candidate whose numbers overflow compares false and is skipped
// (the heuristic and m = 0 are always candidates, solved exactly).
#pragma once

#include "core/status.h"
#include "queueing/reserves_model.h"

namespace ebb::queueing {

// The cost of one policy by the cycle method: the same number as EvaluateReserves(...).cost by an
// independent derivation (the tests compare the two).
core::Result<double> ReservesCostByCycles(const ReservesParams& params,
                                          const ReservesThresholds& thresholds);

}  // namespace ebb::queueing
