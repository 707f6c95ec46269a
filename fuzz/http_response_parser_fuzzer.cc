// Fuzzes replay's incremental HTTP/1.x response parser. The first input byte picks how the rest,
// a stream of responses on one connection, is cut into reads; the stream is then parsed twice,
// whole and in those pieces, and both runs must see the same responses (status, keep-alive) and
// end the same way: an incremental parser must not depend on where the reads split.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "tools/replay/http_response_parser.h"

namespace {

using ebb::replay::HttpResponseParser;
using State = HttpResponseParser::State;

struct Seen {
  int status;
  bool keep_alive;
  bool operator==(const Seen&) const = default;
};

struct Outcome {
  std::vector<Seen> responses;
  State end = State::kIncomplete;  // kError when a Feed failed, else FinishOnClose's result
  bool operator==(const Outcome&) const = default;
};

// Piece sizes from a small generator seeded by `seed`: 1..(seed % 32 + 1) bytes.
class PieceSizes {
 public:
  explicit PieceSizes(std::uint8_t seed) : state_(seed * 2654435761u + 1), max_(seed % 32 + 1) {}
  std::size_t Next() {
    state_ = state_ * 1103515245u + 12345u;
    return 1 + (state_ >> 16) % max_;
  }

 private:
  std::uint32_t state_;
  std::uint32_t max_;
};

// Feeds `stream` through one parser in pieces (all of it at once when `sizes` is null).
Outcome Run(std::string_view stream, PieceSizes* sizes) {
  HttpResponseParser parser;
  Outcome outcome;
  while (!stream.empty()) {
    const std::size_t piece_size = sizes ? sizes->Next() : stream.size();
    std::string_view piece = stream.substr(0, piece_size);
    stream.remove_prefix(piece.size());
    // One read may hold the end of a response and the start of the next.
    while (!piece.empty()) {
      const HttpResponseParser::Progress p = parser.Feed(piece);
      FUZZ_CHECK(p.consumed <= piece.size());
      piece.remove_prefix(p.consumed);
      if (p.state == State::kError) {
        FUZZ_CHECK(!parser.error().empty());
        outcome.end = State::kError;
        return outcome;
      }
      if (p.state == State::kComplete) {
        outcome.responses.push_back({parser.status(), parser.keep_alive()});
        parser.Reset();
        continue;
      }
      FUZZ_CHECK(piece.empty());  // incomplete: everything was taken
    }
  }
  outcome.end = parser.FinishOnClose();
  if (outcome.end == State::kComplete) {
    outcome.responses.push_back({parser.status(), parser.keep_alive()});
  }
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Outcome whole = Run(stream, nullptr);
  PieceSizes sizes(data[0]);
  const Outcome pieces = Run(stream, &sizes);
  FUZZ_CHECK(whole == pieces);
  return 0;
}
