#include "tools/logstat/log_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ebb::logstat {
namespace {

namespace fs = std::filesystem;

const std::string kNo7dw =
    std::string(EBB_SHARED_DATA_DIR) + "/haproxy/logs/real/no7dw_haproxy_2014-12-24.log";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Collects the chunks and checks that each ends at a line end.
struct Collector {
  std::string text;
  int chunks = 0;
  ChunkSink Sink() {
    return [this](std::string_view chunk) {
      ++chunks;
      text.append(chunk);
    };
  }
};

std::string Gzip(const std::string& text, int level = 6) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&z, text.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

class LogReaderTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ebb_logreader_" + std::to_string(getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  fs::path dir_;
};

TEST_F(LogReaderTest, PlainFileIsOneMappedChunk) {
  Collector c;
  ASSERT_TRUE(ReadLogFile(kNo7dw, c.Sink()).ok());
  EXPECT_EQ(c.text, ReadAll(kNo7dw));
  EXPECT_EQ(c.chunks, 1);
}

TEST_F(LogReaderTest, GzipFileIsInflatedIncludingConcatenatedMembers) {
  const std::string text = ReadAll(kNo7dw);
  const std::size_t half = text.size() / 2;
  // Two members, split inside a line: the reader must still hand out whole lines.
  const std::string path = Write("log.gz", Gzip(text.substr(0, half)) + Gzip(text.substr(half)));
  Collector c;
  ChunkSink check = [&c](std::string_view chunk) {
    if (chunk.back() != '\n') ADD_FAILURE() << "chunk not at a line end";
    c.text.append(chunk);
  };
  ASSERT_TRUE(ReadLogFile(path, check).ok());
  EXPECT_EQ(c.text, text);
}

TEST_F(LogReaderTest, CorruptAndTruncatedGzipAreErrors) {
  std::string gz = Gzip(ReadAll(kNo7dw));
  const std::string truncated = Write("t.gz", gz.substr(0, gz.size() / 2));
  Collector c;
  core::Status s = ReadLogFile(truncated, c.Sink());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("truncated gzip"), std::string::npos) << s.message();
  gz[gz.size() / 2] ^= 0x55;
  gz[gz.size() / 2 + 1] ^= 0x55;
  const std::string corrupt = Write("c.gz", gz);
  EXPECT_FALSE(ReadLogFile(corrupt, c.Sink()).ok());
}

TEST_F(LogReaderTest, MissingFileIsNotFound) {
  Collector c;
  const core::Status s = ReadLogFile((dir_ / "nope.log").string(), c.Sink());
  EXPECT_EQ(s.code(), core::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("nope.log"), std::string::npos);
}

TEST_F(LogReaderTest, EmptyFileAndLastLineWithoutNewline) {
  Collector c;
  ASSERT_TRUE(ReadLogFile(Write("empty.log", ""), c.Sink()).ok());
  EXPECT_EQ(c.chunks, 0);
  ASSERT_TRUE(ReadLogFile(Write("x.log", "a\nb"), c.Sink()).ok());
  EXPECT_EQ(c.text, "a\nb");
}

// A pipe (as stdin is) is read in blocks; plain and gzip.
void ReadThroughPipe(const std::string& bytes, Collector& c, core::Status& status) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread writer([&bytes, fd = fds[1]] {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n =
          write(fd, bytes.data() + done, std::min<std::size_t>(bytes.size() - done, 7777));
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    close(fd);
  });
  status = ReadLogFd(fds[0], "-", c.Sink());
  writer.join();
  close(fds[0]);
}

TEST_F(LogReaderTest, PipePlainAndGzip) {
  const std::string text = ReadAll(kNo7dw);
  for (const std::string& bytes : {text, Gzip(text, 1)}) {
    Collector c;
    core::Status status;
    ReadThroughPipe(bytes, c, status);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(c.text, text);
  }
}

}  // namespace
}  // namespace ebb::logstat
