// Fuzzes the daemon's configuration loader (`ebb run`): TOML parsing, --set overrides and
// validation of the live sections. The input up to its first NUL byte is the config file; every
// NUL-separated part after it is one `--set key.path=value` override. The file is written to one
// memfd, reused between inputs, that LoadLiveConfig opens by its /proc/self/fd path. A config that
// loads is one `ebb run` can start from: at least one node, unique non-empty node names with a
// finite positive capacity, at least one HAProxy socket, a policy that MakePolicy builds with
// min_nodes within the nodes, power settings that validate for every node, and a listen address
// that parses.
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/live_config.h"
#include "fuzz/config_input.h"
#include "fuzz/fuzz_check.h"
#include "policy/policy_factory.h"
#include "power/power_driver_factory.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto [path, overrides] = WriteConfigInput(data, size);
  ebb::core::Result<ebb::daemon::LiveConfig> config = ebb::daemon::LoadLiveConfig(path, overrides);
  if (!config.ok()) {
    FUZZ_CHECK(!config.status().message().empty());
    return 0;
  }
  const ebb::daemon::LiveConfig& c = *config;
  FUZZ_CHECK(!c.nodes.empty());
  std::set<std::string> names;
  for (const ebb::core::NodeSpec& node : c.nodes) {
    FUZZ_CHECK(!node.name.empty());
    FUZZ_CHECK(names.insert(node.name).second);
    FUZZ_CHECK(std::isfinite(node.capacity_rps) && node.capacity_rps > 0);
    FUZZ_CHECK(std::isfinite(node.boot_s) && node.boot_s >= 0);
    FUZZ_CHECK(std::isfinite(node.shutdown_s) && node.shutdown_s >= 0);
    FUZZ_CHECK(node.port >= 0 && node.port <= 65535);
  }
  FUZZ_CHECK(!c.haproxy_sockets.empty());
  FUZZ_CHECK(ebb::policy::MakePolicy(c.policy.policy).ok());
  FUZZ_CHECK(c.policy.controller.interval_s > 0);
  FUZZ_CHECK(c.policy.controller.guard.min_serving <= static_cast<int>(c.nodes.size()));
  FUZZ_CHECK(ebb::power::ValidatePowerDriverOptions(c.power).ok());
  FUZZ_CHECK(
      ebb::power::ValidateForNodes(c.power, std::span<const ebb::core::NodeSpec>(c.nodes)).ok());
  std::string host;
  int port = 0;
  FUZZ_CHECK(ebb::daemon::ParseListenAddress("http.listen", c.http_listen, host, port).ok());
  FUZZ_CHECK(!c.state_path.empty() && c.state_path.front() == '/');
  return 0;
}
