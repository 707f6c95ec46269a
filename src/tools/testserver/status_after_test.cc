#include "tools/testserver/status_after.h"

#include <vector>

#include <gtest/gtest.h>

namespace ebb::testserver {
namespace {

TEST(StatusAfterTest, ParsesCountsDurationsAndScopes) {
  auto a = ParseStatusAfter("100:500");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->trigger, StatusTrigger::kAfterRequests);
  EXPECT_EQ(a->after_requests, 100u);
  EXPECT_EQ(a->code, 500);
  EXPECT_EQ(a->scope, StatusScope::kAll);
  auto b = ParseStatusAfter("1.5s:503:health");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->trigger, StatusTrigger::kAfterSeconds);
  EXPECT_DOUBLE_EQ(b->after_s, 1.5);
  EXPECT_EQ(b->scope, StatusScope::kHealth);
  auto c = ParseStatusAfter("250ms:200:app");
  ASSERT_TRUE(c.ok());
  EXPECT_DOUBLE_EQ(c->after_s, 0.25);
  EXPECT_EQ(c->scope, StatusScope::kApp);
}

TEST(StatusAfterTest, RejectsBadSpecs) {
  for (const char* spec : {"", "10", "10:", "x:500", "-1:500", "10:99", "10:600", "10:5o0",
                           "10:500:db", "1h:500", "-2s:500", "10:500:app:x"}) {
    auto parsed = ParseStatusAfter(spec);
    EXPECT_FALSE(parsed.ok()) << spec;
  }
}

TEST(StatusAfterTest, TheLastTriggeredRuleCoveringTheRequestWins) {
  std::vector<StatusAfter> rules = {*ParseStatusAfter("3:500:app"), *ParseStatusAfter("10s:503"),
                                    *ParseStatusAfter("20s:200")};
  struct Row {
    RequestKind kind;
    std::uint64_t before;
    double elapsed_s;
    std::optional<int> expected;
  };
  const Row rows[] = {
      {RequestKind::kApp, 0, 0, std::nullopt},  // requests 1..3 are served
      {RequestKind::kApp, 2, 0, std::nullopt},
      {RequestKind::kApp, 3, 0, 500},              // the fourth fails
      {RequestKind::kHealth, 3, 0, std::nullopt},  // app scope leaves /health alone
      {RequestKind::kHealth, 0, 10, 503},
      {RequestKind::kApp, 5, 12, 503},
      {RequestKind::kApp, 5, 25, 200},  // restored
      {RequestKind::kHealth, 0, 25, 200},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(ScriptedStatus(rules, row.kind, row.before, row.elapsed_s), row.expected)
        << row.before << " " << row.elapsed_s;
  }
  EXPECT_EQ(ScriptedStatus({}, RequestKind::kApp, 1000, 1000), std::nullopt);
}

}  // namespace
}  // namespace ebb::testserver
