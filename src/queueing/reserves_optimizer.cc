#include "queueing/reserves_optimizer.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "queueing/erlang_c.h"

namespace ebb::queueing {

namespace {

using Real = long double;

// One-level first passages for n always-on servers, indexed by the level they start from.
struct Passages {
  // Off: j -> j + 1, j in [0, max_up].
  std::vector<Real> climb_time, climb_jobs;
  // On: i -> i - 1; setup: i -> i - 1 (ending in setup with probability stay), i in [1, max_up+1].
  std::vector<Real> on_time, on_jobs, stay, setup_time, setup_jobs;
};

Passages ComputePassages(const ReservesParams& p, int n, int max_up) {
  const Real lambda = p.arrival_rate, mu = p.service_rate, nu = p.setup_rate;
  const int big_n = p.servers;
  Passages s;
  s.climb_time.resize(max_up + 1);
  s.climb_jobs.resize(max_up + 1);
  // First-step analysis at j: leave up, or go down and climb back twice.
  Real time = 0, jobs = 0;
  for (int j = 0; j <= max_up; ++j) {
    const Real down = std::min(j, n) * mu;
    time = (1 + down * time) / lambda;
    jobs = (j + down * jobs) / lambda;
    s.climb_time[j] = time;
    s.climb_jobs[j] = jobs;
  }

  // Levels [1, max_up + 1] are used; the recursion below N starts from the closed form at N.
  const int levels = std::max(max_up + 2, big_n + 1);
  for (auto* v : {&s.on_time, &s.on_jobs, &s.stay, &s.setup_time, &s.setup_jobs}) {
    v->resize(levels);
  }
  // From level N up nothing depends on the level but the jobs, so the descents are the bounded
  // solutions of constant-coefficient recursions: sigma = 1 / (N mu - lambda) and jobs-time
  // i sigma + lambda sigma^2 (busy period of M/M/1 at rate N mu); the setup descent's stay g is
  // the minimal root of lambda g^2 - (lambda + n mu + nu) g + n mu = 0, its time a constant and
  // its jobs-time linear in i.
  const Real sigma = 1 / (big_n * mu - lambda);
  const Real b = lambda + n * mu + nu;
  const Real g = 2 * n * mu / (b + std::sqrt(b * b - 4 * lambda * n * mu));
  const Real leave = lambda * (1 - g) + n * mu + nu;  // > lambda since g < n mu / lambda
  const Real rejoin = nu + lambda * (1 - g);
  const Real setup_time = (1 + rejoin * sigma) / (leave - lambda);
  const Real setup_jobs_const =
      (lambda * sigma * sigma * rejoin + lambda * setup_time) / (leave - lambda);
  struct Level {
    Real on_time, on_jobs, stay, setup_time, setup_jobs;
  };
  auto repeating = [&](int i) {
    return Level{sigma, i * sigma + lambda * sigma * sigma, g, setup_time,
                 i * setup_time + setup_jobs_const};
  };
  const int first_below = big_n - 1;
  for (int i = levels - 1; i > first_below; --i) {
    const Level l = repeating(i);
    s.on_time[i] = l.on_time;
    s.on_jobs[i] = l.on_jobs;
    s.stay[i] = l.stay;
    s.setup_time[i] = l.setup_time;
    s.setup_jobs[i] = l.setup_jobs;
  }
  Level next = repeating(first_below + 1);
  for (int i = first_below; i >= 1; --i) {
    const Real all = std::min(i, big_n) * mu, few = std::min(i, n) * mu;
    Level l;
    l.on_time = (1 + lambda * next.on_time) / all;
    l.on_jobs = (i + lambda * next.on_jobs) / all;
    // From (i, setup): a departure ends the descent in setup; a setup completion leaves an on
    // descent; an arrival needs the descent from i + 1 first, which ends in setup (then this
    // descent starts over) or on.
    const Real went_on = lambda * (1 - next.stay);
    const Real out = went_on + few + nu;
    l.stay = few / out;
    l.setup_time = (1 + (nu + went_on) * l.on_time + lambda * next.setup_time) / out;
    l.setup_jobs = (i + (nu + went_on) * l.on_jobs + lambda * next.setup_jobs) / out;
    s.on_time[i] = l.on_time;
    s.on_jobs[i] = l.on_jobs;
    s.stay[i] = l.stay;
    s.setup_time[i] = l.setup_time;
    s.setup_jobs[i] = l.setup_jobs;
    next = l;
  }
  return s;
}

// Calls visit(down, up, cost numerator, cycle time) for every 0 <= down <= up in [up_lo, up_hi].
template <typename Visit>
void SweepCycles(const ReservesParams& p, int n, const Passages& s, int up_lo, int up_hi,
                 Visit&& visit) {
  const Real c1 = p.c1, c2 = p.c2;
  const Real few = n, all = p.servers;
  for (int up = up_lo; up <= up_hi; ++up) {
    Real off_time = 0, off_jobs = 0, on_time = 0, on_jobs = 0, in_setup = 1;
    for (int down = up; down >= 0; --down) {
      const int i = down + 1;  // the on period's last descent: i -> down
      on_time += in_setup * s.setup_time[i] + (1 - in_setup) * s.on_time[i];
      on_jobs += in_setup * s.setup_jobs[i] + (1 - in_setup) * s.on_jobs[i];
      in_setup *= s.stay[i];
      off_time += s.climb_time[down];
      off_jobs += s.climb_jobs[down];
      // The reserves draw power during the setup, so the whole on period counts N servers.
      const Real cost = c1 * (off_jobs + on_jobs) + c2 * (few * off_time + all * on_time);
      if (!visit(down, up, cost, off_time + on_time)) return;
    }
  }
}

}  // namespace

core::Result<double> ReservesCostByCycles(const ReservesParams& p, const ReservesThresholds& t) {
  EBB_RETURN_IF_ERROR(ValidateReserves(p, t));
  if (t.reserves == 0 || p.arrival_rate == 0) {
    // No cycles: nothing is ever switched (EvaluateReserves' closed forms).
    EBB_ASSIGN_OR_RETURN(const ReservesResult r, EvaluateReserves(p, t));
    return r.cost;
  }
  const int n = p.servers - t.reserves;
  const Passages s = ComputePassages(p, n, t.up);
  double result = NAN;
  SweepCycles(p, n, s, t.up, t.up, [&](int down, int, Real cost, Real time) {
    if (down != t.down) return true;
    result = static_cast<double>(cost / time);
    return false;
  });
  if (!std::isfinite(result)) {
    return core::InternalError("the cycle method overflowed for these parameters");
  }
  return result;
}

core::Result<ReservesResult> OptimalReserves(const ReservesParams& p) {
  return OptimalReserves(p, ReservesSearch{});
}

core::Result<ReservesResult> OptimalReserves(const ReservesParams& p,
                                             const ReservesSearch& search) {
  EBB_RETURN_IF_ERROR(ValidateReservesParams(p));
  const int big_n = p.servers;
  const int max_up = search.max_up < 0 ? std::min(2 * big_n, kMaxReservesLevel) : search.max_up;
  if (max_up > kMaxReservesLevel) {
    return core::InvalidArgumentError("the search's max_up is above the model's level limit");
  }
  if (p.arrival_rate == 0) {
    // Nothing arrives: every server off costs nothing.
    return EvaluateReserves(p, {.reserves = big_n, .down = 0, .up = 0});
  }
  EBB_ASSIGN_OR_RETURN(ReservesResult best, EvaluateReserves(p, HeuristicReserves(p)));
  EBB_ASSIGN_OR_RETURN(const ReservesResult all_on,
                       EvaluateReserves(p, {.reserves = 0, .down = 0, .up = 0}));
  if (all_on.cost < best.cost) best = all_on;

  // The cycle costs pick the candidate; the winner is then solved exactly, so what is reported is
  // EvaluateReserves' number whatever rounding the cycle sums carry.
  Real best_cost = best.cost;
  ReservesThresholds best_cycle{.reserves = -1};
  for (int n = 0; n < big_n; ++n) {
    if (p.c2 * n + p.c1 * all_on.jobs >= best_cost) break;  // only grows with n
    const Passages s = ComputePassages(p, n, max_up);
    SweepCycles(p, n, s, 0, max_up, [&](int down, int up, Real cost, Real time) {
      if (cost < best_cost * time) {
        best_cost = cost / time;
        best_cycle = {.reserves = big_n - n, .down = down, .up = up};
      }
      return true;
    });
  }
  if (best_cycle.reserves >= 0) {
    EBB_ASSIGN_OR_RETURN(const ReservesResult found, EvaluateReserves(p, best_cycle));
    if (found.cost < best.cost) best = found;
  }
  return best;
}

}  // namespace ebb::queueing
