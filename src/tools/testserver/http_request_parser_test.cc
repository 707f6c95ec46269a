#include "tools/testserver/http_request_parser.h"

#include <string>

#include <gtest/gtest.h>

namespace ebb::testserver {
namespace {

TEST(HttpRequestParserTest, ParsesAGetWithKeepAliveByDefault) {
  const std::string raw = "GET /index.html?x=1 HTTP/1.1\r\nHost: a\r\n\r\n";
  const ParseResult r = ParseHttpRequest(raw);
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.consumed, raw.size());
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.target, "/index.html?x=1");
  EXPECT_EQ(r.request.Path(), "/index.html");
  EXPECT_EQ(r.request.version_minor, 1);
  EXPECT_TRUE(r.request.keep_alive);
  EXPECT_FALSE(r.request.IsHead());
}

TEST(HttpRequestParserTest, AsksForMoreUntilTheHeadAndBodyAreComplete) {
  const std::string raw = "POST /f HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t n = 0; n < raw.size(); ++n) {
    EXPECT_EQ(ParseHttpRequest(raw.substr(0, n)).state, ParseState::kNeedMore) << n;
  }
  const ParseResult r = ParseHttpRequest(raw);
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.consumed, raw.size());
  EXPECT_EQ(r.request.content_length, 5u);
}

TEST(HttpRequestParserTest, TakesPipelinedRequestsOneAtATime) {
  std::string raw =
      "GET /a HTTP/1.1\r\n\r\nHEAD /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n";
  std::vector<std::string> targets;
  while (true) {
    const ParseResult r = ParseHttpRequest(raw);
    if (r.state != ParseState::kComplete) break;
    targets.push_back(r.request.target);
    if (r.request.target == "/b") {
      EXPECT_TRUE(r.request.IsHead());
    }
    if (r.request.target == "/c") {
      EXPECT_FALSE(r.request.keep_alive);
    }
    raw.erase(0, r.consumed);
  }
  EXPECT_EQ(targets, (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_TRUE(raw.empty());
}

struct KeepAliveRow {
  const char* request;
  bool keep_alive;
};

TEST(HttpRequestParserTest, KeepAliveFollowsVersionAndConnectionHeader) {
  const KeepAliveRow rows[] = {
      {"GET / HTTP/1.1\r\n\r\n", true},
      {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", false},
      {"GET / HTTP/1.1\r\nconnection: Upgrade, CLOSE\r\n\r\n", false},
      {"GET / HTTP/1.0\r\n\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive, close\r\n\r\n", false},
  };
  for (const KeepAliveRow& row : rows) {
    const ParseResult r = ParseHttpRequest(row.request);
    ASSERT_EQ(r.state, ParseState::kComplete) << row.request;
    EXPECT_EQ(r.request.keep_alive, row.keep_alive) << row.request;
  }
}

TEST(HttpRequestParserTest, IgnoresEmptyLinesBeforeTheRequestLine) {
  const std::string raw = "\r\n\r\nGET /health HTTP/1.1\r\n\r\n";
  const ParseResult r = ParseHttpRequest(raw);
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.consumed, raw.size());
  EXPECT_EQ(r.request.Path(), "/health");
}

struct ErrorRow {
  std::string request;
  int status;
};

TEST(HttpRequestParserTest, MalformedInputBecomesAStatusToAnswer) {
  const ErrorRow rows[] = {
      {"GET /\r\n\r\n", 400},
      {"GET  / HTTP/1.1\r\n\r\n", 400},
      {"G(T / HTTP/1.1\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\n\r\n", 505},
      {"GET / HTTP/1.2\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"GET / HTTP/1.1\r\nX-Big: " + std::string(20000, 'a'), 431},
  };
  for (const ErrorRow& row : rows) {
    const ParseResult r = ParseHttpRequest(row.request);
    ASSERT_EQ(r.state, ParseState::kError) << row.request.substr(0, 60);
    EXPECT_EQ(r.error_status, row.status) << row.request.substr(0, 60);
    EXPECT_FALSE(r.error.empty());
  }
}

TEST(HttpRequestParserTest, EqualDuplicateContentLengthsAreAccepted) {
  const ParseResult r =
      ParseHttpRequest("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_EQ(r.state, ParseState::kComplete);
  EXPECT_EQ(r.request.content_length, 2u);
}

}  // namespace
}  // namespace ebb::testserver
