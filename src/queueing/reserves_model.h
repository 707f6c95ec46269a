// The server-reserves model of Mitrani and Mazzucco (GreenMetrics 2012; Mitrani, Annals of OR
// 2013): N servers, n = N - m always on and a block of m reserves that is powered up (setup time
// exponential with rate nu) when the number of jobs in the system reaches U and powered down when
// it falls to D. Poisson arrivals (lambda), exponential service (mu per server), FCFS, unbounded
// queue. The cost of a policy is C = c1 * L + c2 * S, with L the mean number of jobs in the system
// and S the mean number of powered servers.
//
// Pure functions, no I/O, no state: safe from any thread. Invalid parameters (lambda >= N mu,
// D >= U, negative or non-finite numbers, m > N) are InvalidArgument with a message naming the
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
  int up;        // U: reserves powered up when the job count reaches U; D < U when m > 0
};

struct ReservesResult {
  ReservesThresholds thresholds;
  double cost;            // c1 * jobs + c2 * powered
  double jobs;            // L: mean number of jobs in the system
  double powered;         // S: mean number of powered servers
  double p_reserves_off;  // probability that the reserves are off (not powered, not booting)
};

// The exact steady state of the model for the given thresholds.
core::Result<ReservesResult> EvaluateReserves(const ReservesParams& params,
                                              const ReservesThresholds& thresholds);

// The thresholds (m, D, U) of least cost, with their values.
core::Result<ReservesResult> OptimalReserves(const ReservesParams& params);

// The published heuristic: n = floor(rho + (1 + sqrt(1 + 4 rho c1 / c2)) / 2) servers always on
// (at least ceil-stable), m = N - n, D = n - 1, U = N. Assumes valid params.
ReservesThresholds HeuristicReserves(const ReservesParams& params);

}  // namespace ebb::queueing
