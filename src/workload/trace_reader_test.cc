#include "workload/trace_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

namespace ebb::workload {
namespace {

using core::StatusCode;

const std::string kSharedData = EBB_SHARED_DATA_DIR;

struct Summary {
  std::uint64_t records = 0;
  double sum = 0;
  TraceRecord first;
  TraceRecord last;
  double peak = 0;
};

// Reads the whole trace; fails the test on any error.
Summary ReadAll(TraceReader& reader) {
  Summary summary;
  TraceRecord record;
  for (;;) {
    core::Result<bool> more = reader.Next(record);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    if (summary.records == 0) summary.first = record;
    summary.last = record;
    ++summary.records;
    summary.sum += record.count;
    if (record.count > summary.peak) summary.peak = record.count;
  }
  return summary;
}

std::vector<TraceRecord> ReadRecords(const std::string& path,
                                     TraceFormat format = TraceFormat::kAuto) {
  std::vector<TraceRecord> records;
  auto reader = TraceReader::Open(path, format);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return records;
  TraceRecord record;
  for (;;) {
    core::Result<bool> more = (*reader)->Next(record);
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    records.push_back(record);
  }
  return records;
}

// The first error of reading `path` to the end, from Open or from Next.
core::Status FirstError(const std::string& path, TraceFormat format = TraceFormat::kAuto) {
  auto reader = TraceReader::Open(path, format);
  if (!reader.ok()) return reader.status();
  TraceRecord record;
  for (;;) {
    core::Result<bool> more = (*reader)->Next(record);
    if (!more.ok()) return more.status();
    if (!*more) return core::Status::Ok();
  }
}

// A parameterised test's name ("Case/param") would make a nested folder, whose parent would be
// left behind: one folder, named with '_'.
std::string FolderName(std::string name) {
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

class TraceReaderFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("ebb_trace_reader_test_" + FolderName(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `contents` byte for byte to a new file and returns its path.
  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary);
    out << contents;
    return path;
  }

  std::filesystem::path dir_;
};

// --- Real traces from ../shared/data ---

TEST(TraceReaderRealDataTest, NasaJuly1995PerSecond) {
  auto reader =
      TraceReader::Open(kSharedData + "/traces/nasa_http_jul1995_requests_per_second.csv");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format(), TraceFormat::kPerSecond);
  const Summary summary = ReadAll(**reader);
  EXPECT_EQ(summary.records, 2'381'544u);
  EXPECT_EQ(summary.sum, 1'891'713);
  EXPECT_EQ(summary.first.start, 804571201);  // 1995-07-01T00:00:01-04:00
  EXPECT_EQ(summary.first.length, 1);
  EXPECT_EQ(summary.last.start, 804571201 + 2'381'544 - 1);
  EXPECT_EQ(summary.peak, 20);
  EXPECT_EQ((*reader)->line(), 2'381'545u);  // header + records
}

TEST(TraceReaderRealDataTest, WorldCup98PerMinute) {
  auto reader = TraceReader::Open(kSharedData + "/traces/worldcup98_requests_per_minute.csv");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format(), TraceFormat::kPerMinute);
  const Summary summary = ReadAll(**reader);
  EXPECT_EQ(summary.records, 125'300u);
  EXPECT_EQ(summary.sum, 1'352'804'107);      // the total in the ITA description
  EXPECT_EQ(summary.first.start, 893971800);  // 1998-04-30 21:30:00 UTC
  EXPECT_EQ(summary.first.length, 60);
  EXPECT_EQ(summary.first.count, 2);
  EXPECT_EQ(summary.last.start, 901490340);  // 1998-07-26 21:59:00 UTC
  EXPECT_EQ(summary.peak, 229'426);
}

TEST(TraceReaderRealDataTest, NasaExplicitFormatSkipsHeader) {
  auto reader = TraceReader::Open(kSharedData + "/traces/nasa_http_jul1995_requests_per_second.csv",
                                  TraceFormat::kPerSecond);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  TraceRecord record;
  ASSERT_TRUE(*(*reader)->Next(record));
  EXPECT_EQ(record.start, 804571201);
  EXPECT_EQ(record.count, 1);
  EXPECT_EQ((*reader)->line(), 2u);
}

#ifdef EBB_REPO_DIR
// The one-day excerpt shipped in data/ (see data/README.md for its check values).
TEST(TraceReaderRealDataTest, ShippedNasaDayExcerpt) {
  auto reader = TraceReader::Open(std::string(EBB_REPO_DIR) +
                                  "/data/nasa_1995-07-06_requests_per_second.csv");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format(), TraceFormat::kPerSecond);
  const Summary summary = ReadAll(**reader);
  EXPECT_EQ(summary.records, 86'400u);
  EXPECT_EQ(summary.sum, 100'960);
  EXPECT_EQ(summary.peak, 13);
  EXPECT_EQ(summary.first.start, 805003200);  // 1995-07-06T00:00:00-04:00
  EXPECT_EQ(summary.last.start, 805089599);
}
#endif

// --- Format names ---

TEST(TraceFormatTest, NamesRoundTrip) {
  for (TraceFormat format : {TraceFormat::kAuto, TraceFormat::kPerSecond, TraceFormat::kPerMinute,
                             TraceFormat::kPerRequest}) {
    auto parsed = ParseTraceFormat(ToString(format));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, format);
  }
  auto bad = ParseTraceFormat("per-hour");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("\"per-hour\""), std::string::npos);
}

// --- Small files: accepted inputs ---

TEST_F(TraceReaderFileTest, CrlfBlankLinesAndTrailingWhitespace) {
  const std::string path =
      Write("crlf.csv", "\r\nunix_time,requests\r\n100,1\r\n\r\n  \r\n101 , 2.5 \t\r\n102,0\r\n\n");
  const std::vector<TraceRecord> records = ReadRecords(path);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].start, 100);
  EXPECT_EQ(records[0].count, 1);
  EXPECT_EQ(records[1].start, 101);
  EXPECT_EQ(records[1].count, 2.5);
  EXPECT_EQ(records[2].start, 102);
  EXPECT_EQ(records[2].count, 0);
}

TEST_F(TraceReaderFileTest, LastLineWithoutNewline) {
  const std::string path = Write("nonl.csv", "unix_time,requests\n100,1\n101,7");
  const std::vector<TraceRecord> records = ReadRecords(path);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].count, 7);
}

TEST_F(TraceReaderFileTest, Utf8ByteOrderMarkBeforeHeader) {
  const std::string path = Write("bom.csv", "\xEF\xBB\xBFperiod,count\n2000-03-01 00:00:00,4\n");
  const std::vector<TraceRecord> records = ReadRecords(path);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].start, 951868800);
}

TEST_F(TraceReaderFileTest, PerMinuteDatesConvertToUnixSeconds) {
  const std::string path = Write("minutes.csv",
                                 "period,count\n"
                                 "1970-01-01 00:00:00,1\n"
                                 "1998-04-30 21:30:00,2\n"
                                 "2000-02-29 23:59:00,3\n"  // leap day in a /400 year
                                 "2024-12-31T12:00:00,4\n");
  const std::vector<TraceRecord> records = ReadRecords(path);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].start, 0);
  EXPECT_EQ(records[1].start, 893971800);
  EXPECT_EQ(records[2].start, 951868740);
  EXPECT_EQ(records[3].start, 1735646400);
  for (const TraceRecord& record : records) EXPECT_EQ(record.length, 60);
}

TEST_F(TraceReaderFileTest, PerRequestWithFractionsAndSeparators) {
  const std::string path = Write("requests.log",
                                 "804571201.25 GET /shuttle/countdown/\n"
                                 "804571201.5,200\n"
                                 "804571201.5\t/images/ksclogo.gif\n"
                                 "\n"
                                 "804571202\r\n"
                                 "  804571203.125  \n");
  auto reader = TraceReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->format(), TraceFormat::kPerRequest);
  std::vector<TraceRecord> records;
  TraceRecord record;
  while (true) {
    auto more = (*reader)->Next(record);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    records.push_back(record);
  }
  ASSERT_EQ(records.size(), 5u);
  const double expected[] = {804571201.25, 804571201.5, 804571201.5, 804571202, 804571203.125};
  for (std::size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(records[i].start, expected[i]) << i;
    EXPECT_EQ(records[i].length, 0);
    EXPECT_EQ(records[i].count, 1);
  }
  EXPECT_EQ((*reader)->line(), 6u);
}

TEST_F(TraceReaderFileTest, ExplicitFormatWithoutHeader) {
  const std::string path = Write("noheader.csv", "\n100,3\n101,4\n");
  const std::vector<TraceRecord> records = ReadRecords(path, TraceFormat::kPerSecond);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].start, 100);
  EXPECT_EQ(records[0].count, 3);
  // The same file in auto mode is per-request: the first field is a time.
  EXPECT_EQ(ReadRecords(path, TraceFormat::kAuto).size(), 2u);
}

TEST_F(TraceReaderFileTest, EqualTimesAreAllowed) {
  const std::string path = Write("equal.log", "5\n5\n5.0\n");
  EXPECT_EQ(ReadRecords(path).size(), 3u);
}

TEST_F(TraceReaderFileTest, EmptyFileWithExplicitFormatHasNoRecords) {
  const std::string path = Write("empty.csv", "");
  EXPECT_TRUE(ReadRecords(path, TraceFormat::kPerRequest).empty());
}

TEST_F(TraceReaderFileTest, LinesAcrossBufferBoundaries) {
  // More than one 1 MiB read buffer of lines, so lines straddle refills.
  std::string contents = "unix_time,requests\n";
  constexpr int kLines = 200'000;
  double expected_sum = 0;
  for (int i = 0; i < kLines; ++i) {
    contents += std::to_string(1'000'000'000 + i) + "," + std::to_string(i % 17) + "\n";
    expected_sum += i % 17;
  }
  ASSERT_GT(contents.size(), std::size_t{2} << 20);
  auto reader = TraceReader::Open(Write("big.csv", contents));
  ASSERT_TRUE(reader.ok());
  const Summary summary = ReadAll(**reader);
  EXPECT_EQ(summary.records, static_cast<std::uint64_t>(kLines));
  EXPECT_EQ(summary.sum, expected_sum);
  EXPECT_EQ(summary.last.start, 1'000'000'000 + kLines - 1);
}

// --- Small files: errors, each with its exact line ---

TEST_F(TraceReaderFileTest, MissingFileIsNotFound) {
  const std::string path = (dir_ / "no_such.csv").string();
  auto reader = TraceReader::Open(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reader.status().message(), path + ": cannot open: No such file or directory");
}

struct ErrorCase {
  const char* name;
  const char* contents;
  TraceFormat format;
  const char* message;  // after "path:"
};
// Names the case in test listings instead of dumping its bytes.
void PrintTo(const ErrorCase& c, std::ostream* out) { *out << c.name; }

class TraceReaderErrorTest : public TraceReaderFileTest,
                             public ::testing::WithParamInterface<ErrorCase> {};

TEST_P(TraceReaderErrorTest, ReportsPathLineAndField) {
  const ErrorCase& c = GetParam();
  const std::string path = Write(std::string(c.name) + ".txt", c.contents);
  const core::Status status = FirstError(path, c.format);
  ASSERT_FALSE(status.ok()) << c.name;
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), path + ":" + c.message);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Cases, TraceReaderErrorTest,
    ::testing::Values(
        ErrorCase{"requests_not_a_number", "unix_time,requests\n100,1\n101,abc\n",
                  TraceFormat::kAuto, "3: field 'requests': not a number: \"abc\""},
        ErrorCase{"requests_negative", "unix_time,requests\n\n100,-3\n",
                  TraceFormat::kAuto, "3: field 'requests': negative: \"-3\""},
        ErrorCase{"requests_missing", "unix_time,requests\n100,1\r\n101\r\n",
                  TraceFormat::kAuto, "3: field 'requests': missing"},
        ErrorCase{"requests_empty", "unix_time,requests\n100,\n",
                  TraceFormat::kAuto, "2: field 'requests': missing"},
        ErrorCase{"requests_infinite", "unix_time,requests\n100,inf\n",
                  TraceFormat::kAuto, "2: field 'requests': not finite: \"inf\""},
        ErrorCase{"requests_nan", "unix_time,requests\n100,nan\n",
                  TraceFormat::kAuto, "2: field 'requests': not finite: \"nan\""},
        ErrorCase{"requests_trailing_junk", "unix_time,requests\n100,3x\n",
                  TraceFormat::kAuto, "2: field 'requests': not a number: \"3x\""},
        ErrorCase{"unix_time_not_integer", "unix_time,requests\n100.5,1\n",
                  TraceFormat::kAuto, "2: field 'unix_time': not an integer: \"100.5\""},
        ErrorCase{"unix_time_missing", "unix_time,requests\n,1\n",
                  TraceFormat::kAuto, "2: field 'unix_time': missing"},
        ErrorCase{"extra_field", "unix_time,requests\n100,1,2\n",
                  TraceFormat::kAuto, "2: unexpected extra field: \"2\""},
        ErrorCase{"out_of_order", "unix_time,requests\n804571210,1\n804571205,1\n",
                  TraceFormat::kAuto,
                  "3: time 804571205 is earlier than the previous record (804571210)"},
        ErrorCase{"count_negative", "period,count\n1998-04-30 21:30:00,-1\n",
                  TraceFormat::kAuto, "2: field 'count': negative: \"-1\""},
        ErrorCase{"count_not_a_number", "period,count\n1998-04-30 21:30:00,many\n",
                  TraceFormat::kAuto, "2: field 'count': not a number: \"many\""},
        ErrorCase{"period_bad", "period,count\n1998-04-30 21:30:00,1\n1998-02-30 00:00:00,1\n",
                  TraceFormat::kAuto,
                  "3: field 'period': not a UTC time \"YYYY-MM-DD HH:MM:SS\": "
                  "\"1998-02-30 00:00:00\""},
        ErrorCase{"period_short", "period,count\n1998-04-30 21:30,1\n",
                  TraceFormat::kAuto,
                  "2: field 'period': not a UTC time \"YYYY-MM-DD HH:MM:SS\": "
                  "\"1998-04-30 21:30\""},
        ErrorCase{"period_out_of_order",
                  "period,count\n1998-04-30 21:31:00,1\n1998-04-30 21:30:00,1\n",
                  TraceFormat::kAuto,
                  "3: time 893971800 is earlier than the previous record (893971860)"},
        ErrorCase{"request_out_of_order", "10.5 a\n10.75 b\n\n10.25 c\n",
                  TraceFormat::kAuto,
                  "4: time 10.25 is earlier than the previous record (10.75)"},
        ErrorCase{"request_not_a_number", "10.5\n10.75x GET /\n",
                  TraceFormat::kAuto, "2: field 'time': not a number: \"10.75x\""},
        ErrorCase{"request_not_finite", "1\ninf\n",
                  TraceFormat::kPerRequest, "2: field 'time': not finite: \"inf\""},
        ErrorCase{"unknown_header", "\n\ntimestamp,value\n1,2\n",
                  TraceFormat::kAuto,
                  "3: cannot detect the trace format from \"timestamp,value\": expected a header "
                  "`unix_time,requests` or `period,count`, or a per-request line starting with "
                  "a Unix time"},
        ErrorCase{"header_of_other_format", "period,count\n1998-04-30 21:30:00,1\n",
                  TraceFormat::kPerSecond,
                  "1: header \"period,count\" is per-minute, but format per-second was "
                  "requested"},
        ErrorCase{"explicit_format_bad_first_line", "\nhello\n",
                  TraceFormat::kPerSecond, "2: field 'unix_time': not an integer: \"hello\""},
        ErrorCase{"empty_auto", "\n \r\n", TraceFormat::kAuto,
                  " empty trace: cannot detect its format"}),
    [](const ::testing::TestParamInfo<ErrorCase>& param_info) {
      return std::string(param_info.param.name);
    });
// clang-format on

TEST_F(TraceReaderFileTest, LineLongerThanBufferIsAnError) {
  std::string contents = "unix_time,requests\n100,1\n101,";
  contents += std::string(std::size_t{1} << 20, '1');
  contents += "\n";
  const std::string path = Write("long.csv", contents);
  const core::Status status = FirstError(path);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), path + ":3: line longer than 1048576 bytes");
}

TEST_F(TraceReaderFileTest, DirectoryIsAReadError) {
  const core::Status status = FirstError(dir_.string(), TraceFormat::kPerSecond);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("read error"), std::string::npos) << status.ToString();
}

TEST_F(TraceReaderFileTest, ErrorMessageQuotesControlBytesAndTruncates) {
  const std::string path =
      Write("binary.csv", "unix_time,requests\n100,\x01" + std::string(100, 'z') + "\n");
  const core::Status status = FirstError(path);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message(),
            path + ":2: field 'requests': not a number: \"\\x01" + std::string(59, 'z') + "...\"");
}

}  // namespace
}  // namespace ebb::workload
