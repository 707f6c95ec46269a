#include "testing/command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace ebb::testing {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int CountOccurrences(std::string_view text, std::string_view what) {
  int n = 0;
  for (auto pos = text.find(what); pos != std::string_view::npos; pos = text.find(what, pos + 1)) {
    ++n;
  }
  return n;
}

CommandResult RunShell(const std::string& command) {
  // stdout through the pipe, stderr through a file: reading both from pipes could dead-lock.
  char err_path[] = "/tmp/ebb_command_stderr.XXXXXX";
  const int err_fd = ::mkstemp(err_path);
  CommandResult result;
  if (err_fd < 0) return result;
  ::close(err_fd);
  FILE* pipe = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (pipe != nullptr) {
    char chunk[4096];
    std::size_t n;
    while ((n = std::fread(chunk, 1, sizeof(chunk), pipe)) > 0) result.out.append(chunk, n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  result.err = ReadFile(err_path);
  ::unlink(err_path);
  return result;
}

TestDir::TestDir(const std::string& prefix) {
  const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
  path_ = std::filesystem::temp_directory_path() /
          (prefix + "_" + std::to_string(::getpid()) + "_" + (test ? test->name() : "global"));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TestDir::~TestDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace ebb::testing
