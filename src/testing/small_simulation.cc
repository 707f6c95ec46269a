#include "testing/small_simulation.h"

#include <cmath>
#include <fstream>

namespace ebb::testing {

std::filesystem::path WriteSmallTrace(const std::filesystem::path& path, int seconds,
                                      double peak_rps) {
  std::ofstream out(path);
  out << "unix_time,requests\n";
  for (int i = 0; i < seconds; ++i) {
    // One slow wave: idle, a peak in the middle, idle again, so policies have nodes to switch.
    const double phase = std::sin(M_PI * i / seconds);
    out << 1000 + i << ',' << std::lround(2 + peak_rps * phase * phase) << '\n';
  }
  return path;
}

SmallSimulation WriteSmallSimulation(const std::filesystem::path& dir, const std::string& name,
                                     int seconds, double peak_rps) {
  SmallSimulation sim{.config = dir / (name + ".toml"),
                      .trace = WriteSmallTrace(dir / (name + ".csv"), seconds, peak_rps)};
  std::ofstream(sim.config) << "[cluster]\nnodes = 4\nmaxconn = 4\nboot_s = 20\nshutdown_s = 5\n"
                               "capacity_rps = 30\n"
                               "service_time = { dist = \"exponential\", mean_s = 0.1 }\n"
                               "power = { off_w = 5, boot_w = 150, idle_w = 100, busy_w = 200 }\n"
                               "[workload]\ntrace = \""
                            << name
                            << ".csv\"\narrivals = \"poisson\"\n"
                               "[policy]\nname = \"always-on\"\ninterval_s = 1\nmin_nodes = 1\n"
                               "[sla]\nresponse_s = 1\n[sim]\nseed = 7\n";
  return sim;
}

}  // namespace ebb::testing
