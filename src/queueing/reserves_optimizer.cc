#include "queueing/reserves_optimizer.h"

#include <algorithm>
#include <cmath>
#include <utility>
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

// Calls visit(down, up, cost integral, cycle time, off period's cost integral, its time) for down =
// down_lo, down_lo + 1, ... while keep(down), and for each down every up in [down, max_up] while
// visit returns true. Raising U by one adds a climb and a descent and multiplies the chance of
// still being in setup at every lower level by the new top level's stay, so each step is O(1): with
// Q(D, U) = sum over the on period's descents i of P(in setup at i) (setup - on descent), Q(D, U +
// 1) = delta_{U+2} + g_{U+2} Q(D, U).
template <typename Keep, typename Visit>
void SweepCycles(const ReservesParams& p, int n, const Passages& s, int down_lo, int max_up,
                 Keep&& keep, Visit&& visit) {
  const Real c1 = p.c1, c2 = p.c2;
  const Real few = n, all = p.servers;
  for (int down = down_lo; down <= max_up && keep(down); ++down) {
    Real off_time = 0, off_jobs = 0, on_time = 0, on_jobs = 0, extra_time = 0, extra_jobs = 0;
    for (int up = down; up <= max_up; ++up) {
      const int top = up + 1;  // the on period's first descent: top -> up
      off_time += s.climb_time[up];
      off_jobs += s.climb_jobs[up];
      on_time += s.on_time[top];
      on_jobs += s.on_jobs[top];
      extra_time = (s.setup_time[top] - s.on_time[top]) + s.stay[top] * extra_time;
      extra_jobs = (s.setup_jobs[top] - s.on_jobs[top]) + s.stay[top] * extra_jobs;
      // The reserves draw power during the setup, so the whole on period counts N servers.
      const Real period_on = on_time + extra_time;
      const Real cost =
          c1 * (off_jobs + on_jobs + extra_jobs) + c2 * (few * off_time + all * period_on);
      if (!visit(down, up, cost, off_time + period_on, c1 * off_jobs + c2 * few * off_time,
                 off_time)) {
        break;
      }
    }
  }
}

// A passage's cost integral minus `rate` times its duration: negative when the passage is
// cheaper than `rate` per unit time.
Real Excess(const ReservesParams& p, int powered, Real jobs, Real time, Real rate) {
  return p.c1 * jobs + (p.c2 * powered - rate) * time;
}

// Lower bounds for pruning the search against a best cost rate. A cycle beats it iff the sum of
// its passages' excesses is negative. The cycle (D, U) has exactly the climbs from D..U and the
// descents from D + 1..U + 1, so its excess is the sum of the pairs (climb from k, descent from
// k + 1) over k in [D, U], each descent counted at its cheaper kind (setup or on: the mix changes
// with U), plus what the first descent, which starts in setup, costs over its cheaper kind.
// Computed with the best when the m starts: the excesses only grow as the best falls, so the
// bounds stay valid.
struct Bounds {
  // from[k]: the least sum of pairs over [k, U'] for any U' in [k, max_up].
  std::vector<Real> from;
  // after[k]: the least sum of pairs over any [D', U'] with k <= D' <= U' <= max_up.
  std::vector<Real> after;
  // first_extra[k]: the least extra of a setup descent over its cheaper kind, from levels >= k.
  std::vector<Real> first_extra;
};

Bounds ComputeBounds(const ReservesParams& p, int n, const Passages& s, int max_up, Real best) {
  const int big_n = p.servers;
  Bounds b;
  b.first_extra.assign(max_up + 3, INFINITY);
  std::vector<Real> cheaper(max_up + 2);
  for (int k = max_up + 1; k >= 1; --k) {
    const Real setup = Excess(p, big_n, s.setup_jobs[k], s.setup_time[k], best);
    const Real on = Excess(p, big_n, s.on_jobs[k], s.on_time[k], best);
    cheaper[k] = std::min(setup, on);
    b.first_extra[k] = std::min(b.first_extra[k + 1], setup - cheaper[k]);
  }
  b.from.assign(max_up + 2, 0);
  b.after.assign(max_up + 2, INFINITY);
  for (int k = max_up; k >= 0; --k) {
    const Real pair = Excess(p, n, s.climb_jobs[k], s.climb_time[k], best) + cheaper[k + 1];
    b.from[k] = pair + (k < max_up ? std::min<Real>(0, b.from[k + 1]) : 0);
    b.after[k] = std::min(b.after[k + 1], b.from[k]);
  }
  return b;
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
  SweepCycles(
      p, n, s, t.down, t.up, [&](int down) { return down == t.down; },
      [&](int, int up, Real cost, Real time, Real, Real) {
        if (up == t.up) result = static_cast<double>(cost / time);
        return up < t.up;
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
  // Often the best policy nearly never powers the reserves: U so high that the cost is that of
  // an M/M/n, c1 L(M/M/n) + c2 n, and the cost is flat in (D, U) there, which no bound prunes.
  // Trying the n of the cheapest M/M/n first makes the best cost low early, so that the bounds
  // cut the other n short.
  std::vector<std::pair<double, int>> order;
  for (int n = 0; n < big_n; ++n) {
    const double rho = p.arrival_rate / p.service_rate;
    const double mmn =
        rho < n ? p.c1 * (rho + ErlangC(n, rho) * rho / (n - rho)) + p.c2 * n : INFINITY;
    order.emplace_back(mmn, n);
  }
  std::stable_sort(order.begin(), order.end());
  for (const auto& [never_on, n] : order) {
    // Under any policy L is at least L(M/M/N) and S at least n.
    if (p.c2 * n + p.c1 * all_on.jobs >= best_cost) continue;
    const Passages s = ComputePassages(p, n, max_up);
    const Bounds b = ComputeBounds(p, n, s, max_up, best_cost);
    // Every (D' >= D, U') is a run of pairs within [D, max_up] and a first descent above D.
    auto promising = [&](int down) { return b.after[down] + b.first_extra[down + 1] < 0; };
    // For (D, U' > U): the climbs D..U and the on period's descents to D..U are known; the
    // latter's mix of setup and on changes with U', so each counts at its cheaper kind. Above
    // U come the pairs U + 1..U' and the first, setup, descent of the on period.
    Real known_descents = 0;
    auto visit = [&](int down, int up, Real cost, Real time, Real off_cost, Real off_time) {
      // Where the cost is flat (reserves nearly never on) rounding would pick among equals at
      // random; the first of them found, the lowest D and U, is kept.
      if (cost < best_cost * time * (1 - 1e-12L)) {
        best_cost = cost / time;
        best_cycle = {.reserves = big_n - n, .down = down, .up = up};
      }
      if (up == max_up) return false;
      if (up == down) known_descents = 0;
      known_descents +=
          std::min(Excess(p, big_n, s.setup_jobs[up + 1], s.setup_time[up + 1], best_cost),
                   Excess(p, big_n, s.on_jobs[up + 1], s.on_time[up + 1], best_cost));
      const Real floor =
          off_cost - best_cost * off_time + known_descents + b.from[up + 1] + b.first_extra[up + 2];
      return floor < 0;
    };
    SweepCycles(p, n, s, 0, max_up, promising, visit);
  }
  if (best_cycle.reserves >= 0) {
    EBB_ASSIGN_OR_RETURN(const ReservesResult found, EvaluateReserves(p, best_cycle));
    if (found.cost < best.cost) best = found;
  }
  return best;
}

}  // namespace ebb::queueing
