#include "tools/replay/http_response_parser.h"

#include <string>

#include <gtest/gtest.h>

namespace ebb::replay {
namespace {

using State = HttpResponseParser::State;

// Feeds `wire` in pieces of `step` bytes; returns the final state and the bytes consumed.
std::pair<State, std::size_t> FeedInPieces(HttpResponseParser& parser, const std::string& wire,
                                           std::size_t step) {
  std::size_t pos = 0;
  State state = State::kIncomplete;
  while (pos < wire.size() && state == State::kIncomplete) {
    const std::string_view piece = std::string_view(wire).substr(pos, step);
    const auto progress = parser.Feed(piece);
    pos += progress.consumed;
    state = progress.state;
    if (state == State::kIncomplete) {
      EXPECT_EQ(progress.consumed, piece.size());
    }
  }
  return {state, pos};
}

struct Case {
  const char* name;
  std::string wire;
  int status;
  bool keep_alive;
};

TEST(HttpResponseParserTest, CompletesWhateverTheReadSizes) {
  const Case cases[] = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello", 200,
       true},
      {"connection close", "HTTP/1.1 503 Busy\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n",
       503, false},
      {"chunked",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n"
       "A\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
       200, true},
      {"204 without body", "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 204, true},
      {"304 ignores length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", 304, true},
      {"100 continue first",
       "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, true},
      {"http/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, false},
      {"http/1.0 keep-alive",
       "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, true},
  };
  for (const Case& c : cases) {
    for (std::size_t step :
         {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, c.wire.size()}) {
      SCOPED_TRACE(std::string(c.name) + " step " + std::to_string(step));
      HttpResponseParser parser;
      const auto [state, consumed] = FeedInPieces(parser, c.wire, step);
      EXPECT_EQ(state, State::kComplete) << parser.error();
      EXPECT_EQ(consumed, c.wire.size());
      EXPECT_EQ(parser.status(), c.status);
      EXPECT_EQ(parser.keep_alive(), c.keep_alive);
    }
  }
}

TEST(HttpResponseParserTest, StopsAtTheEndOfOneResponseAndResets) {
  const std::string one = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const std::string two = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  HttpResponseParser parser;
  const std::string both = one + two;
  auto progress = parser.Feed(both);
  EXPECT_EQ(progress.state, State::kComplete);
  EXPECT_EQ(progress.consumed, one.size());
  parser.Reset();
  progress = parser.Feed(std::string_view(both).substr(one.size()));
  EXPECT_EQ(progress.state, State::kComplete);
  EXPECT_EQ(parser.status(), 404);
}

TEST(HttpResponseParserTest, BodyToTheCloseCompletesOnlyOnClose) {
  HttpResponseParser parser;
  EXPECT_EQ(parser.Feed("HTTP/1.1 200 OK\r\n\r\nsome body").state, State::kIncomplete);
  EXPECT_EQ(parser.FinishOnClose(), State::kComplete);
  EXPECT_FALSE(parser.keep_alive());

  HttpResponseParser cut;
  EXPECT_EQ(cut.Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort").state,
            State::kIncomplete);
  EXPECT_EQ(cut.FinishOnClose(), State::kError);
}

TEST(HttpResponseParserTest, RejectsWhatIsNotHttp) {
  for (const char* wire :
       {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n", "HTTP/2 200\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
    SCOPED_TRACE(wire);
    HttpResponseParser parser;
    EXPECT_EQ(parser.Feed(wire).state, State::kError);
    EXPECT_FALSE(parser.error().empty());
  }
}

TEST(HttpResponseParserTest, HeaderBlockIsBounded) {
  HttpResponseParser parser;
  std::string wire = "HTTP/1.1 200 OK\r\nX: ";
  wire.append(70 * 1024, 'a');
  EXPECT_EQ(parser.Feed(wire.substr(0, 100)).state, State::kIncomplete);
  EXPECT_EQ(parser.Feed(wire.substr(100)).state, State::kError);
}

}  // namespace
}  // namespace ebb::replay
