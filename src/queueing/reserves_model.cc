#include "queueing/reserves_model.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "queueing/erlang_c.h"

namespace ebb::queueing {

namespace {

// Phases of a level: the reserve block is off, booting (setup), or on.
constexpr int kOff = 0;
constexpr int kSetup = 1;
constexpr int kOn = 2;

using Block = std::array<std::array<double, 3>, 3>;
using Row = std::array<double, 3>;

Block Multiply(const Block& a, const Block& b) {
  Block c{};
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 3; ++k) {
      if (a[i][k] == 0) continue;
      for (int j = 0; j < 3; ++j) c[i][j] += a[i][k] * b[k][j];
    }
  }
  return c;
}

Row Multiply(const Row& x, const Block& a) {
  Row y{};
  for (int k = 0; k < 3; ++k) {
    for (int j = 0; j < 3; ++j) y[j] += x[k] * a[k][j];
  }
  return y;
}

// Inverse by the adjugate: the matrices inverted here are 3x3 nonsingular M-matrices (minus a
// censored generator whose every state leaves its level set), so the determinant is positive and
// well away from zero relative to the entries.
Block Inverse(const Block& a) {
  Block c{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
      c[i][j] = a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1];
    }
  }
  const double det = a[0][0] * c[0][0] + a[0][1] * c[1][0] + a[0][2] * c[2][0];
  for (auto& row : c) {
    for (double& x : row) x /= det;
  }
  return c;
}

// The transitions of level j, split by where they go: up (an arrival), local, down (a departure).
// The local block carries the diagonal (minus every rate out of the state).
struct LevelBlocks {
  Block up{}, local{}, down{};
};

LevelBlocks Blocks(const ReservesParams& p, const ReservesThresholds& t, int j) {
  const int n = p.servers - t.reserves;
  const double lambda = p.arrival_rate, mu = p.service_rate;
  LevelBlocks b;
  // An arrival that takes the count above U starts the reserves' setup.
  b.up[kOff][j == t.up ? kSetup : kOff] = lambda;
  b.up[kSetup][kSetup] = lambda;
  b.up[kOn][kOn] = lambda;
  b.local[kSetup][kOn] = p.setup_rate;
  if (j > 0) {
    // A departure that leaves D jobs cancels a setup or powers the reserves down.
    const bool to_down = j - 1 == t.down;
    const double few = std::min(j, n) * mu, all = std::min(j, p.servers) * mu;
    b.down[kOff][kOff] = few;
    b.down[kSetup][to_down ? kOff : kSetup] = few;
    b.down[kOn][to_down ? kOff : kOn] = all;
  }
  for (int k = 0; k < 3; ++k) {
    double out = 0;
    for (int l = 0; l < 3; ++l) out += b.up[k][l] + b.down[k][l] + (l == k ? 0 : b.local[k][l]);
    b.local[k][k] = -out;
  }
  return b;
}

std::string Number(double x) { return fmt::format("{:g}", x); }

}  // namespace

core::Status ValidateReserves(const ReservesParams& p, const ReservesThresholds& t) {
  EBB_RETURN_IF_ERROR(ValidateReservesParams(p));
  if (t.reserves < 0 || t.reserves > p.servers) {
    return core::InvalidArgumentError(
        fmt::format("--reserves must be in [0, --servers = {}], got {}", p.servers, t.reserves));
  }
  if (t.down < 0) {
    return core::InvalidArgumentError(fmt::format("--down must be >= 0, got {}", t.down));
  }
  if (t.up < 0) {
    return core::InvalidArgumentError(fmt::format("--up must be >= 0, got {}", t.up));
  }
  if (t.up > kMaxReservesLevel) {
    return core::InvalidArgumentError(
        fmt::format("--up must be at most {}, got {}", kMaxReservesLevel, t.up));
  }
  if (t.reserves > 0 && t.down > t.up) {
    return core::InvalidArgumentError(fmt::format(
        "--down ({}) must not exceed --up ({}): the reserves go off when the jobs fall to D and "
        "on when they exceed U",
        t.down, t.up));
  }
  return core::Status::Ok();
}

core::Status ValidateReservesParams(const ReservesParams& p) {
  if (p.servers < 1 || p.servers > kMaxReservesLevel) {
    return core::InvalidArgumentError(
        fmt::format("--servers must be in [1, {}], got {}", kMaxReservesLevel, p.servers));
  }
  struct Field {
    const char* flag;
    double value;
    bool positive;
  };
  for (const Field& f : {Field{"--setup-rate", p.setup_rate, true}, Field{"--c1", p.c1, false},
                         Field{"--c2", p.c2, false}, Field{"--arrival-rate", p.arrival_rate, false},
                         Field{"--service-rate", p.service_rate, true}}) {
    if (!std::isfinite(f.value) || f.value < 0 || (f.positive && f.value == 0)) {
      return core::InvalidArgumentError(fmt::format("{} must be a finite number {} 0, got {}",
                                                    f.flag,
                                                    f.positive ? ">" : ">=", Number(f.value)));
    }
  }
  const double capacity = p.servers * p.service_rate;
  if (!(p.arrival_rate < capacity)) {
    return core::InvalidArgumentError(fmt::format(
        "--arrival-rate ({}) must be below --servers x --service-rate ({}): the queue would grow "
        "without bound even with every server on",
        Number(p.arrival_rate), Number(capacity)));
  }
  return core::Status::Ok();
}

core::Result<ReservesResult> EvaluateReserves(const ReservesParams& p,
                                              const ReservesThresholds& t) {
  EBB_RETURN_IF_ERROR(ValidateReserves(p, t));
  const int big_n = p.servers, m = t.reserves, n = big_n - m;
  const double lambda = p.arrival_rate, mu = p.service_rate, nu = p.setup_rate;
  ReservesResult r{.thresholds = t};
  auto finish = [&p, &r] {
    r.cost = p.c1 * r.jobs + p.c2 * r.powered;
    return r;
  };
  if (m == 0) {
    // No reserve block: M/M/N, and the (absent) reserves are never powered.
    const double rho = lambda / mu;
    r.jobs = rho + ErlangC(big_n, rho) * rho / (big_n - rho);
    r.powered = big_n;
    r.p_reserves_off = 1;
    return finish();
  }
  if (lambda == 0) {
    // The system stays empty with the reserves off (D >= 0 is reached at once).
    r.jobs = 0;
    r.powered = n;
    r.p_reserves_off = 1;
    return finish();
  }

  // Above K = max(U + 1, N) the levels repeat: an arrival no longer starts a setup (that happens
  // at U only), a departure no longer reaches D <= U, and every server that exists is busy. The
  // off phase cannot be entered there (off above U is only reachable from off at U, whose
  // arrival starts the setup), so the tail is the two-phase QBD (setup, on) with A0 = lambda I,
  // A1 = [[-(lambda + n mu + nu), nu], [0, -(lambda + N mu)]], A2 = diag(n mu, N mu), and
  // pi_{K+i} = pi_K R^i exactly (matrix-geometric, no truncation). R is upper triangular:
  // r11 is the minimal root of n mu r^2 - (lambda + n mu + nu) r + lambda = 0, r22 = lambda / (N
  // mu), and the (1, 2) entry of A0 + R A1 + R^2 A2 = 0 gives r12 = r11 nu / (N mu (1 - r11)).
  const int top = std::max(t.up + 1, big_n);
  const double b = lambda + n * mu + nu;
  const double r11 = 2 * lambda / (b + std::sqrt(b * b - 4 * n * mu * lambda));
  const double r22 = lambda / (big_n * mu);
  const double r12 = r11 * nu / (big_n * mu * (1 - r11));
  Block tail{};
  tail[kSetup][kSetup] = r11;
  tail[kSetup][kOn] = r12;
  tail[kOn][kOn] = r22;

  // Linear level reduction, top down: pi_{j+1} = pi_j R_j with R_j = A0_j (-M_{j+1})^{-1} and
  // M_j = A1_j + R_j A2_{j+1}, M_K = A1_K + R A2. Every step inverts minus a censored generator
  // (an M-matrix), so it is stable; O(K) 3x3 operations.
  // Without always-on servers nothing is served while the reserves are off, so the count never
  // falls below D again: the levels under D are transient and the chain starts at D.
  const int bottom = n == 0 ? t.down : 0;
  std::vector<Block> rs(top);
  LevelBlocks above = Blocks(p, t, top + 1);
  LevelBlocks level = Blocks(p, t, top);
  Block mj = level.local;
  {
    const Block feedback = Multiply(tail, above.down);
    for (int k = 0; k < 3; ++k) {
      for (int l = 0; l < 3; ++l) mj[k][l] += feedback[k][l];
    }
  }
  for (int j = top - 1; j >= bottom; --j) {
    const LevelBlocks below = Blocks(p, t, j);
    Block neg = mj;
    for (auto& row : neg) {
      for (double& x : row) x = -x;
    }
    rs[j] = Multiply(below.up, Inverse(neg));
    const Block feedback = Multiply(rs[j], level.down);
    mj = below.local;
    for (int k = 0; k < 3; ++k) {
      for (int l = 0; l < 3; ++l) mj[k][l] += feedback[k][l];
    }
    level = below;
  }

  // The bottom level lies at or below D, where only the off phase is reachable. Forward
  // substitution,
  // rescaled when the unnormalised probabilities grow large (they rise like rho^j / j! below the
  // mode, which overflows a double for a loaded thousand-server cluster); the levels far below
  // the largest then underflow to 0, which is below the precision of the result anyway.
  std::vector<Row> pi(top + 1);
  pi[bottom] = {1, 0, 0};
  for (int j = bottom; j < top; ++j) {
    pi[j + 1] = Multiply(pi[j], rs[j]);
    const double peak = std::max({pi[j + 1][0], pi[j + 1][1], pi[j + 1][2]});
    if (peak > 1e200) {
      for (int i = 0; i <= j + 1; ++i) {
        for (double& x : pi[i]) x /= peak;
      }
    }
  }
  std::array<double, 3> phase{};
  double jobs = 0;
  for (int j = bottom; j < top; ++j) {
    for (int k = 0; k < 3; ++k) {
      phase[k] += pi[j][k];
      jobs += j * pi[j][k];
    }
  }
  // The tail from level K: sum_i pi_K R^i = pi_K (I - R)^{-1} and sum_i i pi_K R^i = pi_K R (I -
  // R)^{-2}.
  Block i_minus_r{};
  for (int k = 0; k < 3; ++k) {
    for (int l = 0; l < 3; ++l) i_minus_r[k][l] = (k == l ? 1 : 0) - tail[k][l];
  }
  const Block geometric = Inverse(i_minus_r);
  const Row mass = Multiply(pi[top], geometric);
  const Row shifted = Multiply(Multiply(Multiply(pi[top], tail), geometric), geometric);
  for (int k = 0; k < 3; ++k) {
    phase[k] += mass[k];
    jobs += top * mass[k] + shifted[k];
  }
  const double total = phase[0] + phase[1] + phase[2];
  r.jobs = jobs / total;
  // The reserves draw power while they boot: S counts them in setup as in on.
  r.powered = n + m * (phase[kSetup] + phase[kOn]) / total;
  r.p_reserves_off = phase[kOff] / total;
  return finish();
}

ReservesThresholds HeuristicReserves(const ReservesParams& p) {
  const double rho = p.arrival_rate / p.service_rate;
  // c2 = 0 makes power free: keep every server on.
  const double spread = rho == 0 ? 0 : p.c2 > 0 ? 4 * rho * p.c1 / p.c2 : INFINITY;
  const double always_on = std::floor(rho + 0.5 * (1 + std::sqrt(1 + spread)));
  const int n = static_cast<int>(std::clamp(always_on, 1.0, static_cast<double>(p.servers)));
  return {.reserves = p.servers - n, .down = n - 1, .up = p.servers};
}

}  // namespace ebb::queueing
