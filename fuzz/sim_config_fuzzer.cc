// Fuzzes the simulator's configuration loader: TOML parsing, --set overrides and validation. The
// input up to its first NUL byte is the config file; every NUL-separated part after it is one
// `--set key.path=value` override. The file is written to one memfd, reused between inputs, that
// LoadSimConfig opens by its /proc/self/fd path. A config that loads must be one the simulator can
// take: the policy builds and the numbers it divides by are positive.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_check.h"
#include "policy/policy_factory.h"
#include "sim/sim_config.h"

namespace {

int ConfigFd() {
  static const int fd = memfd_create("sim.toml", 0);
  FUZZ_CHECK(fd >= 0);
  return fd;
}

void WriteAll(int fd, std::string_view text) {
  FUZZ_CHECK(ftruncate(fd, 0) == 0);
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    FUZZ_CHECK(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string_view file = input.substr(0, nul);
  std::vector<std::string> overrides;
  if (nul != std::string_view::npos) {
    std::string_view rest = input.substr(nul + 1);
    while (true) {
      const std::size_t next = rest.find('\0');
      overrides.emplace_back(rest.substr(0, next));
      if (next == std::string_view::npos) break;
      rest.remove_prefix(next + 1);
    }
  }

  const int fd = ConfigFd();
  WriteAll(fd, file);
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  ebb::core::Result<ebb::sim::SimConfig> config = ebb::sim::LoadSimConfig(path, overrides);
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  const ebb::sim::SimConfig& c = *config;
  FUZZ_CHECK(c.nodes >= 1 && c.maxconn >= 1);
  FUZZ_CHECK(std::isfinite(c.capacity_rps) && c.capacity_rps > 0);
  FUZZ_CHECK(c.controller.interval_s > 0);
  FUZZ_CHECK(c.controller.guard.min_serving <= c.nodes);
  FUZZ_CHECK(ebb::policy::MakePolicy(c.policy).ok());
  return 0;
}
