// The server-reserves model of Mitrani and Mazzucco (GreenMetrics 2012; Mitrani, Annals of OR
// 2013): N servers, n = N - m always on and a block of m reserves that is powered up (setup time
// exponential with rate nu) when the number of jobs in the system exceeds U and powered down when
// it falls to D. Poisson arrivals (lambda), exponential service (mu per server), FCFS, unbounded
// queue. The cost of a policy is C = c1 * L + c2 * S, with L the mean number of jobs in the system
// and S the mean number of powered servers.
//
// The variant, fixed by the four reference values of the study's code (all matched to 1e-9; the
// other readings of the papers miss them by 1e-2 or more):
// - the setup starts when an arrival takes the number of jobs above U (from U to U + 1);
// - a departure that leaves D jobs powers the reserves down, or cancels a setup in progress;
//   power-down is instantaneous. So D <= U is a valid hysteresis (D = U included), D > U is not;
// - the reserves count as powered while they boot: S = n + m P(setup or on);
// - with m = 0 there is nothing to switch: an M/M/N, D and U are ignored, p_reserves_off = 1.
// EvaluateReserves solves the chain exactly (no truncation): above max(U + 1, N) the levels
// repeat and the tail is matrix-geometric with a closed-form R (see reserves_model.cc).
//
// Pure functions, no I/O, no state: safe from any thread. Invalid parameters (lambda >= N mu,
// D > U, negative or non-finite numbers, m > N) are InvalidArgument with a message naming the
// parameter as the CLI spells it (--servers, --down, ...).
#pragma once

#include "core/status.h"

namespace ebb::queueing {

struct ReservesParams {
  int servers;          // N
  double setup_rate;    // nu: 1 / mean setup time of the reserve block
  double c1;            // cost per job in the system per unit time
  double c2;            // cost per powered server per unit time
  double arrival_rate;  // lambda
  double service_rate;  // mu, per server
};

struct ReservesThresholds {
  int reserves;  // m, in [0, N]
  int down;      // D: reserves powered down when the job count falls to D
  int up;        // U: reserves powered up when the job count exceeds U; D <= U when m > 0
};

struct ReservesResult {
  ReservesThresholds thresholds;
  double cost;            // c1 * jobs + c2 * powered
  double jobs;            // L: mean number of jobs in the system
  double powered;         // S: mean number of powered servers
  double p_reserves_off;  // probability that the reserves are off (not powered, not booting)
};

// The largest N and U accepted: the exact solution holds max(U + 1, N) levels in memory.
inline constexpr int kMaxReservesLevel = 100'000;

// OK when the model holds: N in [1, kMaxReservesLevel]; nu, mu > 0; c1, c2, lambda >= 0; all
// finite; lambda < N mu (stable once the reserves are on).
core::Status ValidateReservesParams(const ReservesParams& params);
// ValidateReservesParams, and m in [0, N], D, U in [0, kMaxReservesLevel], D <= U when m > 0
// (with m = 0 there is nothing to switch and D, U are ignored).
core::Status ValidateReserves(const ReservesParams& params, const ReservesThresholds& thresholds);

// The exact steady state of the model for the given thresholds: O(max(U, N)) time and memory.
core::Result<ReservesResult> EvaluateReserves(const ReservesParams& params,
                                              const ReservesThresholds& thresholds);

// The range OptimalReserves searches: m in [0, N], 0 <= D <= U <= max_up (m = 0 is reported as
// D = U = 0).
struct ReservesSearch {
  int max_up = -1;  // < 0: the default, 2 N
};

// The thresholds (m, D, U) of least cost in the search range, with their values (exact, from
// EvaluateReserves). Never worse than HeuristicReserves. See reserves_optimizer.h for the method
// and its cost.
core::Result<ReservesResult> OptimalReserves(const ReservesParams& params);
core::Result<ReservesResult> OptimalReserves(const ReservesParams& params,
                                             const ReservesSearch& search);

// The published heuristic: n = floor(rho + (1 + sqrt(1 + 4 rho c1 / c2)) / 2) servers always on,
// capped to [1, N] (c2 = 0: N), m = N - n, D = n - 1, U = N. Assumes valid params.
ReservesThresholds HeuristicReserves(const ReservesParams& params);

}  // namespace ebb::queueing
