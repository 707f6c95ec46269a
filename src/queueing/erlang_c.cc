#include "queueing/erlang_c.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/check.h"

namespace ebb::queueing {

namespace {

double ErlangCFromB(int servers, double offered, double blocking) {
  const double utilisation = offered / servers;
  return blocking / (1 - utilisation * (1 - blocking));
}

// P(W + S <= t) given the probability of waiting: a waiting request waits Exp(theta), theta =
// c*mu - lambda, then is served Exp(mu), so P(W + S > t) = e^{-mu t} (1 + mu (1 - e^{-(theta -
// mu) t}) / (theta - mu)), whose limit at theta = mu is e^{-mu t} (1 + mu t); expm1 keeps it
// exact near that point.
double ShareFromWait(int servers, double arrival_rate, double service_rate, double t,
                     double wait_probability) {
  const double theta = servers * service_rate - arrival_rate;
  const double d = theta - service_rate;
  const double service_tail = std::exp(-service_rate * t);
  double waited_tail;
  if (std::abs(d * t) < 1e-3) {
    // Near theta = mu: the expm1 form, exact there (its exponent is small, nothing overflows).
    const double ramp = std::abs(d * t) < 1e-12 ? t : -std::expm1(-d * t) / d;
    waited_tail = service_tail * (1 + service_rate * ramp);
  } else {
    // Apart: each exponential on its own, so a large mu * t underflows to 0 instead of making
    // 0 * infinity.
    waited_tail = (theta * service_tail - service_rate * std::exp(-theta * t)) / d;
  }
  const double tail = (1 - wait_probability) * service_tail + wait_probability * waited_tail;
  return std::clamp(1 - tail, 0.0, 1.0);
}

}  // namespace

double ErlangC(int servers, double offered) {
  if (!(offered > 0)) return 0;
  if (servers <= 0 || offered >= servers) return 1;
  // Erlang B by its recursion, which stays within [0, 1] where the factorial form overflows.
  double blocking = 1;
  for (int k = 1; k <= servers; ++k) blocking = offered * blocking / (k + offered * blocking);
  return ErlangCFromB(servers, offered, blocking);
}

void ErlangCUpTo(int max_servers, double offered, std::vector<double>& out) {
  out.assign(static_cast<std::size_t>(std::max(0, max_servers)) + 1, 1.0);
  if (!(offered > 0)) {
    std::fill(out.begin(), out.end(), 0.0);
    return;
  }
  double blocking = 1;
  for (int c = 1; c <= max_servers; ++c) {
    blocking = offered * blocking / (c + offered * blocking);
    if (offered < c) out[static_cast<std::size_t>(c)] = ErlangCFromB(c, offered, blocking);
  }
}

double MeanJobs(int servers, double offered, double erlang_c) {
  if (!(offered > 0)) return 0;
  if (servers <= 0 || offered >= servers) return std::numeric_limits<double>::infinity();
  const double rho = offered / servers;
  return offered + erlang_c * rho / (1 - rho);
}

double ShareWithin(int servers, double arrival_rate, double service_rate, double t) {
  EBB_CHECK(service_rate > 0);
  if (t < 0) return 0;
  if (servers <= 0 || arrival_rate >= servers * service_rate) return 0;
  return ShareFromWait(servers, arrival_rate, service_rate, t,
                       ErlangC(servers, arrival_rate / service_rate));
}

int ServersForShare(double arrival_rate, double service_rate, double t, double target,
                    int max_servers) {
  EBB_CHECK(service_rate > 0 && target >= 0 && target < 1);
  if (!(arrival_rate > 0)) return 0;
  // With any number of servers no request is faster than its service.
  if (!(-std::expm1(-service_rate * t) > target)) return max_servers + 1;
  // One pass of the Erlang B recursion: the share grows with every server past stability, so
  // the first count that meets the target is the answer. O(answer), whatever the search finds.
  const double offered = arrival_rate / service_rate;
  double blocking = 1;
  for (int c = 1; c <= max_servers; ++c) {
    blocking = offered * blocking / (c + offered * blocking);
    if (offered >= c) continue;
    const double wait = ErlangCFromB(c, offered, blocking);
    if (ShareFromWait(c, arrival_rate, service_rate, t, wait) >= target) return c;
  }
  return max_servers + 1;
}

}  // namespace ebb::queueing
