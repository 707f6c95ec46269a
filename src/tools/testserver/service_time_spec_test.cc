#include "tools/testserver/service_time_spec.h"

#include <gtest/gtest.h>

namespace ebb::testserver {
namespace {

TEST(ServiceTimeSpecTest, ParsesTheThreeDistributions) {
  auto e = ParseServiceTimeSpec("exponential:0.1");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->kind, workload::ServiceTimeKind::kExponential);
  EXPECT_DOUBLE_EQ(e->mean_s, 0.1);
  auto d = ParseServiceTimeSpec("deterministic:0.25");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->kind, workload::ServiceTimeKind::kDeterministic);
  EXPECT_DOUBLE_EQ(d->mean_s, 0.25);
  auto l = ParseServiceTimeSpec("lognormal:0.2:4");
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->kind, workload::ServiceTimeKind::kLogNormal);
  EXPECT_DOUBLE_EQ(l->scv, 4);
  EXPECT_EQ(ToSpec(*l), "lognormal:0.2:4");
  EXPECT_TRUE(ParseServiceTimeSpec("deterministic:0").ok());
}

TEST(ServiceTimeSpecTest, RejectsBadSpecsWithTheSpecInTheMessage) {
  for (const char* spec : {"", "exponential", "exponential:", "exponential:x", "exponential:0",
                           "exponential:-1", "exponential:0.1:2", "lognormal:0.1",
                           "lognormal:0.1:0", "uniform:0.1", "deterministic:inf"}) {
    auto parsed = ParseServiceTimeSpec(spec);
    ASSERT_FALSE(parsed.ok()) << spec;
    EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find(std::string("\"") + spec + "\""), std::string::npos)
        << parsed.status().message();
  }
}

}  // namespace
}  // namespace ebb::testserver
