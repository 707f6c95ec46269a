#include "queueing/erlang_c.h"

#include <cmath>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::queueing {
namespace {

// Erlang C from its textbook form, a^c/c! * c/(c-a) / (sum_{k<c} a^k/k! + a^c/c! * c/(c-a)),
// summed directly: independent of the recursion the code uses, and exact enough for small c.
double TextbookErlangC(int c, double a) {
  double term = 1;  // a^k / k!
  double sum = 0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double last = term * c / (c - a);
  return last / (sum + last);
}

TEST(ErlangCTest, MatchesTheTextbookFormAcrossATable) {
  for (int c : {1, 2, 3, 5, 10, 20, 40}) {
    for (double utilisation : {0.05, 0.3, 0.5, 0.8, 0.9, 0.99}) {
      const double a = utilisation * c;
      SCOPED_TRACE(testing::Message() << "c=" << c << " a=" << a);
      EXPECT_NEAR(ErlangC(c, a), TextbookErlangC(c, a), 1e-12);
    }
  }
}

TEST(ErlangCTest, KnownValue) { EXPECT_NEAR(ErlangC(10, 9), 0.66873, 1e-5); }

TEST(ErlangCTest, EdgeCases) {
  EXPECT_EQ(ErlangC(4, 0), 0);
  EXPECT_EQ(ErlangC(4, 4), 1);  // unstable
  EXPECT_EQ(ErlangC(0, 1), 1);
  EXPECT_NEAR(ErlangC(1, 0.7), 0.7, 1e-15);  // M/M/1: waits with probability rho
  // Large clusters stay finite where factorials would overflow.
  const double big = ErlangC(2000, 1950);
  EXPECT_GT(big, 0);
  EXPECT_LT(big, 1);
}

TEST(ShareWithinTest, MM1ResponseTimeIsExponential) {
  // In M/M/1 the response time is Exp(mu - lambda).
  for (double t : {0.1, 0.5, 2.0}) {
    EXPECT_NEAR(ShareWithin(1, 6, 10, t), 1 - std::exp(-4 * t), 1e-12);
  }
}

// The share by numerical integration of the waiting time's density, for a check of the closed
// form that shares none of its algebra.
double IntegratedShare(int c, double lambda, double mu, double t) {
  const double wait = TextbookErlangC(c, lambda / mu);
  const double theta = c * mu - lambda;
  // P(T <= t) = (1-C) P(S <= t) + C * integral_0^t theta e^{-theta w} P(S <= t - w) dw
  const int steps = 200000;
  const double h = t / steps;
  double integral = 0;
  for (int i = 0; i < steps; ++i) {
    const double w = (i + 0.5) * h;
    integral += theta * std::exp(-theta * w) * (1 - std::exp(-mu * (t - w))) * h;
  }
  return (1 - wait) * (1 - std::exp(-mu * t)) + wait * integral;
}

TEST(ShareWithinTest, MatchesNumericalIntegration) {
  struct Case {
    int c;
    double lambda, mu, t;
  };
  for (const Case& k : {Case{10, 90, 10, 0.2}, Case{10, 90, 10, 1.0}, Case{4, 3.5, 1, 5},
                        Case{3, 2, 1, 1.5}, Case{50, 45, 1, 0.5}}) {
    SCOPED_TRACE(testing::Message() << "c=" << k.c << " lambda=" << k.lambda);
    EXPECT_NEAR(ShareWithin(k.c, k.lambda, k.mu, k.t), IntegratedShare(k.c, k.lambda, k.mu, k.t),
                1e-8);
  }
}

TEST(ShareWithinTest, ContinuousWhereTheWaitAndServiceRatesMeet) {
  // c=3, mu=1, lambda=1: theta = c*mu - lambda = 2 != mu; lambda=2 gives theta = mu exactly.
  const double at = ShareWithin(3, 2, 1, 1.5);
  EXPECT_NEAR(ShareWithin(3, 2 - 1e-9, 1, 1.5), at, 1e-8);
  EXPECT_NEAR(ShareWithin(3, 2 + 1e-9, 1, 1.5), at, 1e-8);
  EXPECT_NEAR(at, IntegratedShare(3, 2, 1, 1.5), 1e-8);
}

TEST(ShareWithinTest, ShortServiceAgainstALongSlaIsNoNaN) {
  // 5 ms requests against 5 s: mu * t = 1,000, where e^{-mu t} underflows. Near saturation the
  // wait is long, so the share is well below 1, and finite.
  const double near_full = ShareWithin(10, 1999, 200, 5);
  EXPECT_TRUE(std::isfinite(near_full));
  EXPECT_NEAR(near_full, IntegratedShare(10, 1999, 200, 5), 1e-6);
  EXPECT_NEAR(ShareWithin(20, 1000, 200, 5), 1.0, 1e-12);
}

TEST(ShareWithinTest, UnstableOrNoServerIsZero) {
  EXPECT_EQ(ShareWithin(2, 2, 1, 10), 0);
  EXPECT_EQ(ShareWithin(0, 1, 1, 10), 0);
}

TEST(ServersForShareTest, IsTheSmallestCountThatMeetsTheTarget) {
  for (double lambda : {0.5, 9.0, 90.0, 450.0}) {
    const int c = ServersForShare(lambda, 10, 1.0, 0.999, 10000);
    SCOPED_TRACE(testing::Message() << "lambda=" << lambda << " c=" << c);
    EXPECT_GE(ShareWithin(c, lambda, 10, 1.0), 0.999);
    EXPECT_LT(ShareWithin(c - 1, lambda, 10, 1.0), 0.999);
  }
  EXPECT_EQ(ServersForShare(0, 10, 0.3, 0.999, 100), 0);
  // A service time alone too long for the target: no count is enough.
  EXPECT_EQ(ServersForShare(1, 1, 0.1, 0.5, 100), 101);
}

TEST(ErlangCTest, OnePassAgreesWithEachCount) {
  std::vector<double> all;
  ErlangCUpTo(30, 12.5, all);
  ASSERT_EQ(all.size(), 31u);
  for (int c = 0; c <= 30; ++c) EXPECT_NEAR(all[c], ErlangC(c, 12.5), 1e-12) << c;
  // M/M/1: L = rho / (1 - rho).
  EXPECT_NEAR(MeanJobs(1, 0.5, ErlangC(1, 0.5)), 1.0, 1e-12);
  EXPECT_TRUE(std::isinf(MeanJobs(2, 2, 1)));
}

}  // namespace
}  // namespace ebb::queueing
