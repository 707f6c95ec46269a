// HttpResponseParser: reads one HTTP/1.x response at a time from a byte stream, incrementally, so
// the caller can feed whatever each read() returned. Knows Content-Length, chunked transfer
// encoding, bodiless statuses (1xx skipped, 204, 304) and read-until-close bodies; reports the
// status code and whether the connection may be reused. Headers split across reads are kept in a
// buffer that is reused between responses; a header block over 64 KiB is an error. One parser per
// connection; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ebb::replay {

class HttpResponseParser {
 public:
  enum class State { kIncomplete, kComplete, kError };
  struct Progress {
    std::size_t consumed = 0;  // bytes of `data` used; the rest belongs to a later response
    State state = State::kIncomplete;
  };

  // Forgets the current response (and any error); the next Feed starts a new one.
  void Reset();
  // Consumes `data`, stopping at the end of a complete response.
  Progress Feed(std::string_view data);
  // The peer closed the connection: completes a body that runs to the close, errors otherwise.
  State FinishOnClose();

  int status() const { return status_; }
  // False when the response said `Connection: close`, is HTTP/1.0 without keep-alive, or ran to
  // the close of the connection.
  bool keep_alive() const { return keep_alive_; }
  const std::string& error() const { return error_; }

 private:
  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
  enum class Phase { kHeaders, kBody, kToClose, kChunkSize, kChunkData, kChunkCrlf, kTrailer };

  // Parses the header block (status line to the blank line, without the final CRLF CRLF).
  bool ParseHeaders(std::string_view block);
  State Fail(std::string what);
  // Reads one CRLF-terminated line into line_ from data at pos; true when complete.
  bool TakeLine(std::string_view data, std::size_t& pos);

  Phase phase_ = Phase::kHeaders;
  State state_ = State::kIncomplete;
  std::string header_;  // a header block split across reads
  std::string line_;    // a chunk-size or trailer line split across reads
  std::uint64_t remaining_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  std::string error_;
};

}  // namespace ebb::replay
