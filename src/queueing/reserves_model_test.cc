#include "queueing/reserves_model.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "queueing/erlang_c.h"
#include "queueing/reserves_optimizer.h"

namespace ebb::queueing {
namespace {

struct Reference {
  ReservesParams params;
  ReservesThresholds thresholds;
  double cost, jobs, p_reserves_off;  // p_reserves_off < 0: not published
};

// From the original study's code (issue 7): N, nu, c1, c2, m, D, U, lambda, mu -> C, L, P(off).
const std::vector<Reference> kReferences = {
    {{6, 0.2, 1, 1, 3, 1}, {3, 2, 6}, 9.8051484314, 5.3778319731, 0.5242278472},
    {{8, 0.2, 1, 1, 3, 1}, {3, 4, 4}, 8.9164942943, 3.2482294522, 0.7772450526},
    {{10, 1.0 / 60, 1.2, 1, 5.5, 1}, {4, 0, 10}, 20.3426146700, 8.9312284694, 0.0937148733},
    {{34, 1.0 / 60, 1.2, 1, 27.435, 4.35}, {0, 0, 0}, 41.5682758621, 6.3068965517, -1},
};

TEST(ReservesModelTest, MatchesTheStudysValues) {
  for (const Reference& ref : kReferences) {
    SCOPED_TRACE(testing::Message()
                 << "N=" << ref.params.servers << " m=" << ref.thresholds.reserves);
    const auto r = EvaluateReserves(ref.params, ref.thresholds);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NEAR(r->cost, ref.cost, 1e-6);
    EXPECT_NEAR(r->jobs, ref.jobs, 1e-6);
    if (ref.p_reserves_off >= 0) {
      EXPECT_NEAR(r->p_reserves_off, ref.p_reserves_off, 1e-6);
    }
    EXPECT_NEAR(r->cost, ref.params.c1 * r->jobs + ref.params.c2 * r->powered, 1e-12);
    const auto cycles = ReservesCostByCycles(ref.params, ref.thresholds);
    ASSERT_TRUE(cycles.ok()) << cycles.status().ToString();
    EXPECT_NEAR(*cycles, ref.cost, 1e-6);
  }
}

// A grid of parameters around the interesting region: light to heavy load, slow to fast setup,
// cheap to dear power.
std::vector<ReservesParams> Grid(int servers) {
  std::vector<ReservesParams> grid;
  for (double load : {0.1, 0.5, 0.8, 0.95}) {
    for (double nu : {0.05, 1.0, 20.0}) {
      for (double c2 : {0.2, 1.0, 5.0}) {
        grid.push_back({.servers = servers,
                        .setup_rate = nu,
                        .c1 = 1,
                        .c2 = c2,
                        .arrival_rate = load * servers * 2.0,
                        .service_rate = 2.0});
      }
    }
  }
  return grid;
}

TEST(ReservesModelTest, ChainAndCyclesAgree) {
  // Two independent derivations (the matrix-geometric chain and renewal-reward over the
  // reserves' cycles) give the same cost for every threshold on a grid.
  for (int servers : {1, 3, 7}) {
    for (const ReservesParams& p : Grid(servers)) {
      for (int m = 1; m <= servers; ++m) {
        for (int up = 0; up <= 2 * servers + 1; ++up) {
          for (int down = 0; down <= up; ++down) {
            const ReservesThresholds t{m, down, up};
            const auto chain = EvaluateReserves(p, t);
            const auto cycles = ReservesCostByCycles(p, t);
            ASSERT_TRUE(chain.ok() && cycles.ok());
            ASSERT_NEAR(chain->cost, *cycles, 1e-9 * chain->cost)
                << "N=" << servers << " lambda=" << p.arrival_rate << " nu=" << p.setup_rate
                << " c2=" << p.c2 << " m=" << m << " D=" << down << " U=" << up;
            ASSERT_GE(chain->p_reserves_off, 0);
            ASSERT_LE(chain->p_reserves_off, 1);
            // S = n + m P(reserves powered) and P(powered) = 1 - P(off).
            ASSERT_NEAR(chain->powered, servers - m * chain->p_reserves_off, 1e-9 * servers);
          }
        }
      }
    }
  }
}

TEST(ReservesModelTest, NoReservesIsMmn) {
  const ReservesParams p{
      .servers = 5, .setup_rate = 1, .c1 = 2, .c2 = 3, .arrival_rate = 4, .service_rate = 1};
  const auto r = EvaluateReserves(p, {0, 7, 9});  // D and U mean nothing without reserves
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->jobs, 4 + ErlangC(5, 4) * 4 / (5 - 4), 1e-12);
  EXPECT_EQ(r->powered, 5);
  // Reserves that are never used cost what the M/M/n of the always-on servers costs: the limit
  // of U -> infinity when n servers alone are stable.
  const auto never = EvaluateReserves(
      {.servers = 8, .setup_rate = 1, .c1 = 2, .c2 = 3, .arrival_rate = 4, .service_rate = 1},
      {3, 4, 400});
  ASSERT_TRUE(never.ok());
  EXPECT_NEAR(never->jobs, r->jobs, 1e-9);
  EXPECT_NEAR(never->powered, 5, 1e-9);
}

TEST(ReservesModelTest, LargeLoadedClusterStaysFinite) {
  // rho^j / j! overflows a double near j = 700: the solver must rescale.
  const ReservesParams p{
      .servers = 1000, .setup_rate = 0.1, .c1 = 1, .c2 = 1, .arrival_rate = 900, .service_rate = 1};
  const auto r = EvaluateReserves(p, {60, 930, 960});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isfinite(r->cost));
  EXPECT_GT(r->jobs, 900);  // at least the busy servers
  const auto cycles = ReservesCostByCycles(p, {60, 930, 960});
  ASSERT_TRUE(cycles.ok()) << cycles.status().ToString();
  EXPECT_NEAR(r->cost, *cycles, 1e-9 * r->cost);
}

TEST(ReservesModelTest, NoArrivals) {
  const ReservesParams p{
      .servers = 4, .setup_rate = 1, .c1 = 1, .c2 = 1, .arrival_rate = 0, .service_rate = 1};
  const auto r = EvaluateReserves(p, {3, 0, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->jobs, 0);
  EXPECT_EQ(r->powered, 1);
  const auto best = OptimalReserves(p);
  ASSERT_TRUE(best.ok());
  EXPECT_EQ(best->cost, 0);
}

TEST(ReservesModelTest, RefusesWhereTheModelDoesNotHold) {
  const ReservesParams ok{
      .servers = 6, .setup_rate = 0.2, .c1 = 1, .c2 = 1, .arrival_rate = 3, .service_rate = 1};
  const double inf = std::numeric_limits<double>::infinity();
  struct Row {
    ReservesParams params;
    ReservesThresholds thresholds;
    std::string flag;
  };
  auto with = [&ok](auto change) {
    ReservesParams p = ok;
    change(p);
    return p;
  };
  const std::vector<Row> rows = {
      {with([](ReservesParams& p) { p.arrival_rate = 6; }), {3, 2, 6}, "--arrival-rate"},
      {with([](ReservesParams& p) { p.arrival_rate = 7; }), {0, 0, 0}, "--arrival-rate"},
      {ok, {3, 5, 4}, "--down"},
      {ok, {7, 2, 6}, "--reserves"},
      {ok, {-1, 2, 6}, "--reserves"},
      {ok, {3, -1, 6}, "--down"},
      {ok, {3, 2, -1}, "--up"},
      {with([](ReservesParams& p) { p.servers = 0; }), {0, 0, 0}, "--servers"},
      {with([](ReservesParams& p) { p.setup_rate = 0; }), {3, 2, 6}, "--setup-rate"},
      {with([](ReservesParams& p) { p.c1 = -1; }), {3, 2, 6}, "--c1"},
      {with([](ReservesParams& p) { p.c2 = NAN; }), {3, 2, 6}, "--c2"},
      {with([&](ReservesParams& p) { p.service_rate = inf; }), {3, 2, 6}, "--service-rate"},
      {with([](ReservesParams& p) { p.arrival_rate = -2; }), {3, 2, 6}, "--arrival-rate"},
  };
  for (const Row& row : rows) {
    const auto r = EvaluateReserves(row.params, row.thresholds);
    ASSERT_FALSE(r.ok()) << row.flag;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find(row.flag), std::string::npos) << r.status().message();
  }
  EXPECT_FALSE(OptimalReserves(with([](ReservesParams& p) { p.arrival_rate = 6; })).ok());
  // D = U is a valid hysteresis here (off when the jobs fall to D, on when they exceed U).
  EXPECT_TRUE(EvaluateReserves(ok, {3, 4, 4}).ok());
}

TEST(ReservesModelTest, HeuristicKeepsTheAlwaysOnServersStable) {
  for (int servers : {2, 10, 100}) {
    for (const ReservesParams& p : Grid(servers)) {
      const ReservesThresholds h = HeuristicReserves(p);
      const int n = servers - h.reserves;
      EXPECT_GE(h.reserves, 0);
      EXPECT_EQ(h.down, n - 1);
      EXPECT_EQ(h.up, servers);
      // n = floor(rho + (1 + sqrt(...)) / 2) > rho unless capped at N.
      if (h.reserves > 0) {
        EXPECT_GT(n, p.arrival_rate / p.service_rate);
      }
      EXPECT_TRUE(EvaluateReserves(p, h).ok());
    }
  }
}

TEST(ReservesModelTest, OptimumEqualsBruteForceOnSmallClusters) {
  for (int servers = 1; servers <= 8; ++servers) {
    for (ReservesParams p : Grid(servers)) {
      for (double c1 : {0.25, 1.0, 4.0}) {
        p.c1 = c1;
        // The default range (U <= 2N) and a narrower one, which the bounds must respect too.
        for (int max_up : {2 * servers, servers / 2}) {
          const auto best = OptimalReserves(p, {.max_up = max_up});
          ASSERT_TRUE(best.ok()) << best.status().ToString();
          double brute = EvaluateReserves(p, HeuristicReserves(p))->cost;
          for (int m = 0; m <= servers; ++m) {
            for (int up = 0; up <= max_up; ++up) {
              for (int down = 0; down <= up; ++down) {
                brute = std::min(brute, EvaluateReserves(p, {m, down, up})->cost);
              }
            }
          }
          const ReservesThresholds& t = best->thresholds;
          ASSERT_NEAR(best->cost, brute, 1e-9 * brute)
              << "N=" << servers << " lambda=" << p.arrival_rate << " nu=" << p.setup_rate
              << " c1=" << c1 << " c2=" << p.c2 << " max_up=" << max_up << " -> m=" << t.reserves
              << " D=" << t.down << " U=" << t.up;
          EXPECT_NEAR(EvaluateReserves(p, t)->cost, best->cost, 1e-12 * best->cost);
        }
      }
    }
  }
  // The default range is U <= 2N.
  const ReservesParams p = Grid(4)[0];
  EXPECT_LE(OptimalReserves(p)->thresholds.up, 8);
}

TEST(ReservesModelTest, OptimumNeverWorseThanHeuristic) {
  int strictly_better = 0, cases = 0;
  for (int servers : {2, 5, 10, 30}) {
    for (ReservesParams p : Grid(servers)) {
      for (double c1 : {0.1, 1.0, 10.0}) {
        p.c1 = c1;
        const auto best = OptimalReserves(p);
        const auto heuristic = EvaluateReserves(p, HeuristicReserves(p));
        ASSERT_TRUE(best.ok() && heuristic.ok());
        EXPECT_LE(best->cost, heuristic->cost);
        ++cases;
        if (best->cost < heuristic->cost * (1 - 1e-6)) ++strictly_better;
      }
    }
  }
  // The search is worth having: it beats the heuristic in most of the grid.
  EXPECT_GT(strictly_better, cases / 2);
}

TEST(ReservesModelTest, StudysCaseOptimum) {
  // Reference 3's cluster: the optimum is at least as good as the study's thresholds (4, 0, 10).
  const Reference& ref = kReferences[2];
  const auto best = OptimalReserves(ref.params);
  ASSERT_TRUE(best.ok());
  EXPECT_LE(best->cost, ref.cost + 1e-12);
}

}  // namespace
}  // namespace ebb::queueing
