#include "workload/trace_reader.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <system_error>
#include <utility>

namespace ebb::workload {
namespace {

using core::Result;
using core::Seconds;
using core::Status;

constexpr std::string_view kPerSecondHeader[] = {"unix_time", "requests"};
constexpr std::string_view kPerMinuteHeader[] = {"period", "count"};
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
constexpr Seconds kMinute = 60;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Takes the next comma-separated field (trimmed) off the front of `rest`. Sets `exhausted` when
// it was the last one; returns false when there was no field left.
bool NextCsvField(std::string_view& rest, bool& exhausted, std::string_view& field) {
  if (exhausted) return false;
  const std::size_t comma = rest.find(',');
  if (comma == std::string_view::npos) {
    field = Trim(rest);
    rest = {};
    exhausted = true;
  } else {
    field = Trim(rest.substr(0, comma));
    rest.remove_prefix(comma + 1);
  }
  return true;
}

// True when `line` is exactly the CSV header `names` (whitespace around fields allowed).
template <std::size_t N>
bool IsHeader(std::string_view line, const std::string_view (&names)[N]) {
  bool exhausted = false;
  std::string_view field;
  for (std::string_view name : names) {
    if (!NextCsvField(line, exhausted, field) || field != name) return false;
  }
  return exhausted;
}

// `text` quoted for an error message: at most 60 bytes, non-printable bytes as \xNN.
std::string Quote(std::string_view text) {
  constexpr std::size_t kMax = 60;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

std::string FormatSeconds(Seconds t) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), t);
  if (ec != std::errc()) return "?";
  return std::string(buf, end);
}

// Parses all of `text` as a finite double. Returns nullptr, or what was wrong with `text`.
const char* ParseDouble(std::string_view text, double& value) {
  if (text.empty()) return "missing";
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), last, value);
  if (ec == std::errc::result_out_of_range) return "out of range";
  if (ec != std::errc() || ptr != last) return "not a number";
  if (!std::isfinite(value)) return "not finite";
  return nullptr;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
constexpr std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
static_assert(DaysFromCivil(1970, 1, 1) == 0);
static_assert(DaysFromCivil(2000, 3, 1) == 11017);
static_assert(DaysFromCivil(1998, 4, 30) * 86400 + 21 * 3600 + 30 * 60 == 893971800);
static_assert(DaysFromCivil(1969, 12, 31) == -1);

constexpr bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned DaysInMonth(int y, unsigned m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Parses the fixed-width digits text[pos, pos + width).
bool Digits(std::string_view text, std::size_t pos, std::size_t width, int& value) {
  value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!IsDigit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

// `YYYY-MM-DD HH:MM:SS` (or with 'T' between date and time), UTC, to Unix seconds.
bool ParseUtcDateTime(std::string_view text, Seconds& unix_seconds) {
  // 0123456789012345678
  // YYYY-MM-DD HH:MM:SS
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' ||
      (text[10] != ' ' && text[10] != 'T') || text[13] != ':' || text[16] != ':') {
    return false;
  }
  int year, month, day, hour, minute, second;
  if (!Digits(text, 0, 4, year) || !Digits(text, 5, 2, month) || !Digits(text, 8, 2, day) ||
      !Digits(text, 11, 2, hour) || !Digits(text, 14, 2, minute) || !Digits(text, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 ||
      static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month)) || hour > 23 ||
      minute > 59 || second > 59) {
    return false;
  }
  const std::int64_t days =
      DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  unix_seconds = static_cast<Seconds>(days * 86400 + std::int64_t{hour} * 3600 +
                                      std::int64_t{minute} * 60 + second);
  return true;
}

enum class FirstLine { kSecondsHeader, kMinutesHeader, kNumber, kOther };

FirstLine Classify(std::string_view line) {
  if (IsHeader(line, kPerSecondHeader)) return FirstLine::kSecondsHeader;
  if (IsHeader(line, kPerMinuteHeader)) return FirstLine::kMinutesHeader;
  std::size_t i = 0;
  if (i < line.size() && (line[i] == '-' || line[i] == '+')) ++i;
  if (i < line.size() && line[i] == '.') ++i;
  if (i < line.size() && IsDigit(line[i])) return FirstLine::kNumber;
  return FirstLine::kOther;
}

}  // namespace

std::string_view ToString(TraceFormat format) {
  switch (format) {
    case TraceFormat::kAuto:
      return "auto";
    case TraceFormat::kPerSecond:
      return "per-second";
    case TraceFormat::kPerMinute:
      return "per-minute";
    case TraceFormat::kPerRequest:
      return "per-request";
  }
  return "unknown";
}

Result<TraceFormat> ParseTraceFormat(std::string_view name) {
  for (TraceFormat format : {TraceFormat::kAuto, TraceFormat::kPerSecond, TraceFormat::kPerMinute,
                             TraceFormat::kPerRequest}) {
    if (name == ToString(format)) return format;
  }
  return core::InvalidArgumentError("unknown trace format " + Quote(name) +
                                    " (expected auto, per-second, per-minute or per-request)");
}

Result<std::unique_ptr<TraceReader>> TraceReader::Open(const std::string& path,
                                                       TraceFormat format) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    return core::NotFoundError(path + ": cannot open: " + std::strerror(err));
  }
  // We read in kBufferSize chunks ourselves; a stdio buffer would only add a copy.
  std::setvbuf(file, nullptr, _IONBF, 0);
  std::unique_ptr<TraceReader> reader(new TraceReader(path, file));
  EBB_RETURN_IF_ERROR(reader->DetectFormat(format));
  return reader;
}

TraceReader::TraceReader(std::string path, std::FILE* file)
    : path_(std::move(path)), file_(file), buffer_(kBufferSize) {}

TraceReader::~TraceReader() { std::fclose(file_); }

Status TraceReader::DetectFormat(TraceFormat requested) {
  std::string_view raw;
  std::string_view line;
  bool first = true;
  for (;;) {
    if (!ReadLine(raw)) {
      EBB_RETURN_IF_ERROR(EndStatus());
      if (requested == TraceFormat::kAuto) {
        return core::InvalidArgumentError(path_ + ": empty trace: cannot detect its format");
      }
      format_ = requested;
      return Status::Ok();
    }
    if (first && raw.starts_with(kUtf8Bom)) raw.remove_prefix(kUtf8Bom.size());
    first = false;
    line = Trim(raw);
    if (!line.empty()) break;
  }

  const FirstLine kind = Classify(line);
  TraceFormat header_format = TraceFormat::kAuto;
  if (kind == FirstLine::kSecondsHeader) header_format = TraceFormat::kPerSecond;
  if (kind == FirstLine::kMinutesHeader) header_format = TraceFormat::kPerMinute;

  if (requested == TraceFormat::kAuto) {
    if (header_format != TraceFormat::kAuto) {
      format_ = header_format;
      return Status::Ok();  // the header is consumed
    }
    if (kind != FirstLine::kNumber) {
      return LineError("", "cannot detect the trace format from " + Quote(line) +
                               ": expected a header `unix_time,requests` or `period,count`, or a "
                               "per-request line starting with a Unix time");
    }
    format_ = TraceFormat::kPerRequest;
  } else {
    format_ = requested;
    if (header_format == requested) return Status::Ok();  // skip the matching header
    if (header_format != TraceFormat::kAuto) {
      return LineError("", "header " + Quote(line) + " is " + std::string(ToString(header_format)) +
                               ", but format " + std::string(ToString(requested)) +
                               " was requested");
    }
  }
  // A data line: give it back so that Next() parses it.
  begin_ = scan_ = static_cast<std::size_t>(line.data() - buffer_.data());
  --line_;
  return Status::Ok();
}

bool TraceReader::ReadLine(std::string_view& line) {
  for (;;) {
    char* const data = buffer_.data();
    if (scan_ < end_) {
      const void* newline = std::memchr(data + scan_, '\n', end_ - scan_);
      if (newline != nullptr) {
        const char* const stop = static_cast<const char*>(newline);
        line = std::string_view(data + begin_, static_cast<std::size_t>(stop - (data + begin_)));
        begin_ = scan_ = static_cast<std::size_t>(stop - data) + 1;
        ++line_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        return true;
      }
      scan_ = end_;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      // The last line has no newline.
      line = std::string_view(data + begin_, end_ - begin_);
      begin_ = scan_ = end_;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      return true;
    }
    if (begin_ > 0) {
      std::memmove(data, data + begin_, end_ - begin_);
      end_ -= begin_;
      scan_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) {
      line_too_long_ = true;
      return false;
    }
    const std::size_t n = std::fread(data + end_, 1, buffer_.size() - end_, file_);
    end_ += n;
    if (n == 0) {
      if (std::ferror(file_)) {
        read_errno_ = errno != 0 ? errno : EIO;
        return false;
      }
      eof_ = true;
    }
  }
}

Status TraceReader::EndStatus() const {
  if (read_errno_ != 0) {
    return core::InvalidArgumentError(path_ + ":" + std::to_string(line_ + 1) +
                                      ": read error: " + std::strerror(read_errno_));
  }
  if (line_too_long_) {
    return core::InvalidArgumentError(path_ + ":" + std::to_string(line_ + 1) +
                                      ": line longer than " + std::to_string(kBufferSize) +
                                      " bytes");
  }
  return Status::Ok();
}

Status TraceReader::LineError(std::string_view field, std::string_view what) const {
  std::string message = path_ + ":" + std::to_string(line_) + ": ";
  if (!field.empty()) {
    message += "field '";
    message += field;
    message += "': ";
  }
  message += what;
  return core::InvalidArgumentError(std::move(message));
}

Status TraceReader::CheckOrder(Seconds start) {
  if (have_last_ && start < last_start_) {
    return LineError("", "time " + FormatSeconds(start) + " is earlier than the previous record (" +
                             FormatSeconds(last_start_) + ")");
  }
  last_start_ = start;
  have_last_ = true;
  return Status::Ok();
}

Result<bool> TraceReader::Next(TraceRecord& out) {
  std::string_view line;
  do {
    if (!ReadLine(line)) {
      EBB_RETURN_IF_ERROR(EndStatus());
      return false;
    }
    line = Trim(line);
  } while (line.empty());

  // `problem` from ParseDouble; an empty field is "missing", anything else is quoted.
  auto number_error = [this](std::string_view field, const char* problem, std::string_view text) {
    return text.empty() ? LineError(field, problem)
                        : LineError(field, std::string(problem) + ": " + Quote(text));
  };

  if (format_ == TraceFormat::kPerRequest) {
    const std::size_t stop = line.find_first_of(" ,\t");
    const std::string_view text = line.substr(0, stop);
    Seconds time = 0;
    if (const char* problem = ParseDouble(text, time)) return number_error("time", problem, text);
    EBB_RETURN_IF_ERROR(CheckOrder(time));
    out = TraceRecord{.start = time, .length = 0, .count = 1};
    return true;
  }

  // Per-second and per-minute: exactly two CSV fields, a time and a count.
  const bool per_second = format_ == TraceFormat::kPerSecond;
  const std::string_view time_name = per_second ? kPerSecondHeader[0] : kPerMinuteHeader[0];
  const std::string_view count_name = per_second ? kPerSecondHeader[1] : kPerMinuteHeader[1];
  std::string_view rest = line;
  bool exhausted = false;
  std::string_view time_text;
  std::string_view count_text;
  NextCsvField(rest, exhausted, time_text);
  if (!NextCsvField(rest, exhausted, count_text)) count_text = {};
  if (!exhausted) return LineError("", "unexpected extra field: " + Quote(Trim(rest)));

  Seconds start = 0;
  if (per_second) {
    if (time_text.empty()) return LineError(time_name, "missing");
    std::int64_t seconds = 0;
    const char* last = time_text.data() + time_text.size();
    const auto [ptr, ec] = std::from_chars(time_text.data(), last, seconds);
    if (ec == std::errc::result_out_of_range) {
      return LineError(time_name, "out of range: " + Quote(time_text));
    }
    if (ec != std::errc() || ptr != last) {
      return LineError(time_name, "not an integer: " + Quote(time_text));
    }
    start = static_cast<Seconds>(seconds);
  } else {
    if (time_text.empty()) return LineError(time_name, "missing");
    if (!ParseUtcDateTime(time_text, start)) {
      return LineError(time_name, "not a UTC time \"YYYY-MM-DD HH:MM:SS\": " + Quote(time_text));
    }
  }

  double count = 0;
  if (const char* problem = ParseDouble(count_text, count)) {
    return number_error(count_name, problem, count_text);
  }
  if (count < 0) return LineError(count_name, "negative: " + Quote(count_text));
  EBB_RETURN_IF_ERROR(CheckOrder(start));
  out = TraceRecord{.start = start, .length = per_second ? 1.0 : kMinute, .count = count};
  return true;
}

}  // namespace ebb::workload
