// TraceReader: streams a request trace from a file, one record at a time, so memory does not grow
// with the trace. Formats:
//   per-second   CSV with header `unix_time,requests`: integer Unix seconds, request count
//   per-minute   CSV with header `period,count`: `YYYY-MM-DD HH:MM:SS` (UTC) start of the minute
//   per-request  one request per line: its Unix time in seconds (fractions allowed) as the first
//                field (separated by space or comma); no header
// kAuto picks by the header line. Blank lines are skipped. Records come in non-decreasing time;
// a record earlier than the one before is an error. Every error names path:line and the field.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace ebb::sim {

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
  TraceReader(std::string path, std::FILE* file);
  // Reads the next line into `line` (without the newline); false at end of file.
  bool ReadLine(std::string_view& line);
  core::Status LineError(std::string_view field, std::string_view what) const;

  std::string path_;
  std::FILE* file_;
  TraceFormat format_ = TraceFormat::kAuto;
  std::uint64_t line_ = 0;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unread data in buffer_ is [begin_, end_)
  std::size_t end_ = 0;
  bool eof_ = false;
  core::Seconds last_start_ = -1e300;
  bool pending_header_checked_ = false;
};

}  // namespace ebb::sim
