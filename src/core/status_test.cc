#include "core/status.h"

#include <memory>
#include <string>
#include <utility>

#include <gtest/gtest.h>

namespace ebb::core {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kOk);
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
  EXPECT_TRUE(Status::Ok().ok());
}

TEST(StatusTest, HelpersSetCodeAndMessage) {
  struct Row {
    Status status;
    StatusCode code;
    std::string text;
  };
  const Row rows[] = {
      {InvalidArgumentError("bad"), StatusCode::kInvalidArgument, "InvalidArgument: bad"},
      {NotFoundError("web9"), StatusCode::kNotFound, "NotFound: web9"},
      {UnavailableError("socket"), StatusCode::kUnavailable, "Unavailable: socket"},
      {FailedPreconditionError("off"), StatusCode::kFailedPrecondition, "FailedPrecondition: off"},
      {InternalError("bug"), StatusCode::kInternal, "Internal: bug"},
      {Status(StatusCode::kDeadlineExceeded, "boot"), StatusCode::kDeadlineExceeded,
       "DeadlineExceeded: boot"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.text);
    EXPECT_FALSE(row.status.ok());
    EXPECT_EQ(row.status.code(), row.code);
    EXPECT_EQ(row.status.ToString(), row.text);
  }
}

TEST(StatusTest, CodeNames) {
  EXPECT_EQ(ToString(StatusCode::kOk), "OK");
  EXPECT_EQ(ToString(StatusCode::kInvalidArgument), "InvalidArgument");
  EXPECT_EQ(ToString(StatusCode::kNotFound), "NotFound");
  EXPECT_EQ(ToString(StatusCode::kUnavailable), "Unavailable");
  EXPECT_EQ(ToString(StatusCode::kDeadlineExceeded), "DeadlineExceeded");
  EXPECT_EQ(ToString(StatusCode::kFailedPrecondition), "FailedPrecondition");
  EXPECT_EQ(ToString(StatusCode::kInternal), "Internal");
}

TEST(StatusTest, WithContextPrefixesTheMessage) {
  const Status status =
      InvalidArgumentError("field 'requests': not a number").WithContext("nasa.csv:12");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "nasa.csv:12: field 'requests': not a number");
  EXPECT_EQ(status.ToString(), "InvalidArgument: nasa.csv:12: field 'requests': not a number");
}

TEST(StatusTest, WithContextNests) {
  const Status status = NotFoundError("x").WithContext("inner").WithContext("outer");
  EXPECT_EQ(status.message(), "outer: inner: x");
}

TEST(StatusTest, WithContextOnOkStaysOk) {
  const Status status = Status::Ok().WithContext("config.toml");
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.message(), "");
  EXPECT_EQ(status.ToString(), "OK");
}

TEST(StatusTest, WithContextLeavesTheOriginalAlone) {
  const Status original = UnavailableError("timeout");
  const Status wrapped = original.WithContext("haproxy");
  EXPECT_EQ(original.message(), "timeout");
  EXPECT_EQ(wrapped.message(), "haproxy: timeout");
}

TEST(ResultTest, HoldsAValue) {
  Result<int> result = 42;
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(static_cast<bool>(result));
  EXPECT_TRUE(result.status().ok());
  EXPECT_EQ(result.value(), 42);
  EXPECT_EQ(*result, 42);
  *result = 7;
  EXPECT_EQ(result.value(), 7);
}

TEST(ResultTest, HoldsAnError) {
  const Result<int> result = NotFoundError("web3");
  EXPECT_FALSE(result.ok());
  EXPECT_FALSE(static_cast<bool>(result));
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(), "web3");
}

TEST(ResultTest, ArrowAndMoveOut) {
  Result<std::string> result = std::string("hello");
  EXPECT_EQ(result->size(), 5u);
  const std::string moved = std::move(result).value();
  EXPECT_EQ(moved, "hello");
}

TEST(ResultTest, MoveOnlyValue) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(3);
  ASSERT_TRUE(result.ok());
  std::unique_ptr<int> p = std::move(result).value();
  EXPECT_EQ(*p, 3);
}

TEST(ResultDeathTest, ValueOfAnErrorAborts) {
  const Result<int> result = InternalError("no");
  EXPECT_DEATH((void)result.value(), "check failed");
}

TEST(ResultDeathTest, OkStatusIsNotAnError) {
  EXPECT_DEATH((void)Result<int>(Status::Ok()), "check failed");
}

// Helpers for the macros.
Status Fails() { return InvalidArgumentError("inner"); }
Status Succeeds() { return Status::Ok(); }
Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd: " + std::to_string(x));
  return x / 2;
}

Status ReturnIfError(bool fail, int& reached) {
  EBB_RETURN_IF_ERROR(Succeeds());
  reached = 1;
  EBB_RETURN_IF_ERROR(fail ? Fails() : Succeeds());
  reached = 2;
  return Status::Ok();
}

TEST(StatusMacrosTest, ReturnIfError) {
  int reached = 0;
  EXPECT_TRUE(ReturnIfError(false, reached).ok());
  EXPECT_EQ(reached, 2);

  reached = 0;
  const Status status = ReturnIfError(true, reached);
  EXPECT_EQ(status.ToString(), "InvalidArgument: inner");
  EXPECT_EQ(reached, 1);
}

Result<int> Quarter(int x) {
  EBB_ASSIGN_OR_RETURN(const int half, Half(x));
  EBB_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

// EBB_ASSIGN_OR_RETURN into an existing variable, with context added by the caller.
Status QuarterWithContext(int x, int& out) {
  Result<int> result = Quarter(x);
  if (!result.ok()) return result.status().WithContext("quarter");
  EBB_ASSIGN_OR_RETURN(out, std::move(result));
  return Status::Ok();
}

TEST(StatusMacrosTest, AssignOrReturn) {
  Result<int> ok = Quarter(12);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 3);

  Result<int> first = Quarter(7);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().message(), "odd: 7");

  Result<int> second = Quarter(6);  // 6 -> 3, then 3 is odd
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().message(), "odd: 3");

  int out = 0;
  EXPECT_EQ(QuarterWithContext(6, out).ToString(), "InvalidArgument: quarter: odd: 3");
  EXPECT_EQ(out, 0);
  EXPECT_TRUE(QuarterWithContext(8, out).ok());
  EXPECT_EQ(out, 2);
}

TEST(StatusMacrosTest, AssignOrReturnMovesOnlyValues) {
  auto make = []() -> Result<std::unique_ptr<int>> { return std::make_unique<int>(5); };
  auto use = [&make]() -> Result<int> {
    EBB_ASSIGN_OR_RETURN(std::unique_ptr<int> p, make());
    return *p + 1;
  };
  Result<int> result = use();
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 6);
}

}  // namespace
}  // namespace ebb::core
