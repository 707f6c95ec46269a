// The input shape of the configuration fuzzers: the bytes up to the first NUL are the TOML file,
// each NUL-separated part after it one `--set key.path=value` override. The file goes to one
// memfd, reused between inputs, that the loader opens by its /proc/self/fd path like any file.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"

struct ConfigInput {
  std::string path;
  std::vector<std::string> overrides;
};

inline ConfigInput WriteConfigInput(const std::uint8_t* data, std::size_t size) {
  static const int fd = memfd_create("config.toml", 0);
  FUZZ_CHECK(fd >= 0);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view file = input.substr(0, nul);
  ConfigInput out;
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    while (true) {
      const std::size_t next = rest.find('\0');
      out.overrides.emplace_back(rest.substr(0, next));
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  std::size_t done = 0;
  while (done < file.size()) {
    const ssize_t n = pwrite(fd, file.data() + done, file.size() - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
  out.path = "/proc/self/fd/" + std::to_string(fd);
  return out;
}
