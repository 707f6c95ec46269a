// TraceReader: streams a request trace from a file, one record at a time, so memory does not grow
// with the trace (one fixed 1 MiB read buffer, no allocation per line). Formats:
//   per-second   CSV with header `unix_time,requests`: integer Unix seconds, request count
//   per-minute   CSV with header `period,count`: `YYYY-MM-DD HH:MM:SS` (UTC) start of the minute
//   per-request  one request per line: its Unix time in seconds (fractions allowed) as the first
//                field (separated by space, comma or tab); no header
// kAuto picks by the first non-blank line: a header names the CSV format, a line starting with a
// number is per-request, anything else is an error at Open. With an explicit format a matching
// header is skipped. Blank lines, CRLF line ends and whitespace around fields are accepted.
// Counts are finite and >= 0. Records come in non-decreasing time; a record earlier than the one
// before is an error. Every error names path:line and the field; a file that cannot be opened is
// NotFound, everything else InvalidArgument. Not thread-safe: one owner reads it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ebb::workload {

enum class TraceFormat { kAuto, kPerSecond, kPerMinute, kPerRequest };

std::string_view ToString(TraceFormat format);
// "auto", "per-second", "per-minute", "per-request"
core::Result<TraceFormat> ParseTraceFormat(std::string_view name);

// `count` requests arrived in [start, start + length). A per-request record has length 0 and
// count 1. Times are Unix seconds.
struct TraceRecord {
  core::Seconds start = 0;
  core::Seconds length = 0;
  double count = 0;
};

class TraceReader {
 public:
  static core::Result<std::unique_ptr<TraceReader>> Open(const std::string& path,
                                                         TraceFormat format = TraceFormat::kAuto);
  ~TraceReader();
  TraceReader(const TraceReader&) = delete;
  TraceReader& operator=(const TraceReader&) = delete;

  // Reads the next record into `out`. Returns true when a record was read, false at the end of
  // the trace, or an InvalidArgument error "path:line: field 'requests': ..." for a bad line.
  core::Result<bool> Next(TraceRecord& out);

  TraceFormat format() const { return format_; }
  const std::string& path() const { return path_; }
  std::uint64_t line() const { return line_; }

 private:
  // Lines longer than this are an error; the read buffer never grows past it.
  static constexpr std::size_t kBufferSize = std::size_t{1} << 20;

  TraceReader(std::string path, std::FILE* file);
  // Reads the first non-blank line to pick the format (kAuto) or to skip a matching header.
  core::Status DetectFormat(TraceFormat requested);
  // Reads the next line into `line` (without the newline and a trailing '\r'); false at end of
  // file, on a read error (read_errno_ != 0) or on an over-long line (line_too_long_). The view
  // stays valid until the next call.
  bool ReadLine(std::string_view& line);
  // Error for the end of the line stream: a read error or an over-long line; OK at a clean end.
  core::Status EndStatus() const;
  // "path:line: field 'name': what", or "path:line: what" when `field` is empty.
  core::Status LineError(std::string_view field, std::string_view what) const;
  core::Status CheckOrder(core::Seconds start);

  std::string path_;
  std::FILE* file_;
  TraceFormat format_ = TraceFormat::kAuto;
  std::uint64_t line_ = 0;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unread data in buffer_ is [begin_, end_)
  std::size_t end_ = 0;
  std::size_t scan_ = 0;  // [begin_, scan_) is known to hold no '\n'
  bool eof_ = false;
  bool line_too_long_ = false;
  int read_errno_ = 0;
  core::Seconds last_start_ = 0;
  bool have_last_ = false;
};

}  // namespace ebb::workload
