// Helpers for tests that run the `ebb` binary or read what it wrote: run a shell command and
// capture its output and exit code, read a whole file, count a string in it, and a per-test
// scratch folder.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ebb::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;     // standard output
  std::string err;     // standard error
};

// Runs `command` with /bin/sh. Bounded only by the command itself: tests give it its own limits
// (--duration, timeouts) or run programs that end by themselves.
CommandResult RunShell(const std::string& command);

// The file's bytes; empty when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// How often `what` occurs in `text` (overlaps count): charts on a page, rows in a table.
int CountOccurrences(std::string_view text, std::string_view what);

// A fresh folder named after the running test (and the process), removed with the object.
class TestDir {
 public:
  explicit TestDir(const std::string& prefix);
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace ebb::testing
