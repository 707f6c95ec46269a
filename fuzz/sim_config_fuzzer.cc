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

#include "fuzz/config_input.h"
#include "fuzz/fuzz_check.h"
#include "policy/policy_factory.h"
#include "sim/sim_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [path, overrides] = WriteConfigInput(data, size);
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
