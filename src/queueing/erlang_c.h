// The M/M/c queue (Poisson arrivals, c servers with exponential service, FCFS, unbounded queue):
// the probability that a request waits (Erlang C) and the share answered within a time. The
// simulator's cluster matches this model when every node slot serves at one rate, which is what
// SLA-aware sizing relies on. Pure functions, no I/O.
#pragma once

#include <vector>

namespace ebb::queueing {

// Erlang C: the probability that an arrival finds all `servers` busy, for an offered load
// `offered` = arrival rate / service rate (in Erlangs). 1 when the queue is unstable
// (offered >= servers) or there is no server; 0 when there is no load.
double ErlangC(int servers, double offered);

// Erlang C for 0..max_servers servers at once, in one pass of the recursion (out[c] for c
// servers; 1 where the queue would be unstable).
void ErlangCUpTo(int max_servers, double offered, std::vector<double>& out);

// The mean number of requests in an M/M/c system, L = offered + C * rho / (1 - rho), from its
// Erlang C; +infinity when unstable.
double MeanJobs(int servers, double offered, double erlang_c);

// P(response time <= t) in M/M/c FCFS, with response = wait + service. 0 when unstable.
double ShareWithin(int servers, double arrival_rate, double service_rate, double t);

// The smallest number of servers for which ShareWithin(...) >= target, searched up to
// `max_servers`; max_servers + 1 when none is enough. `target` in [0, 1).
int ServersForShare(double arrival_rate, double service_rate, double t, double target,
                    int max_servers);

}  // namespace ebb::queueing
