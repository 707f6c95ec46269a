// HostStats: the host's own numbers, read from /proc the way the original study's monitor read
// them: CPU time (/proc/stat), memory (/proc/meminfo), network traffic per interface
// (/proc/net/dev), load average and tasks (/proc/loadavg) and TCP connections by state
// (/proc/net/tcp and tcp6). Each file has a parser over its text (for table tests on captured
// text) and a reader under a ProcRoot folder (for fixture folders in tests). Stateless and cheap:
// call from any thread. Errors: NotFound / Unavailable for a file that cannot be read, and
// InvalidArgument for text that does not parse, always naming the file and line.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace ebb::metrics {

// Cumulative CPU time in seconds (the kernel's jiffies divided by the clock tick rate). Guest
// time is already inside user and nice, so it has no field of its own.
struct CpuTimes {
  double user = 0;
  double nice = 0;
  double system = 0;
  double idle = 0;
  double iowait = 0;
  double irq = 0;
  double softirq = 0;
  double steal = 0;

  double Total() const { return user + nice + system + idle + iowait + irq + softirq + steal; }
  // Not idle and not waiting for I/O.
  double Busy() const { return Total() - idle - iowait; }
};

struct CpuStats {
  CpuTimes all;                   // the "cpu" line: every CPU together
  std::vector<CpuTimes> per_cpu;  // "cpu0", "cpu1", ... in order
  std::uint64_t context_switches = 0;
  std::uint64_t processes_running = 0;
  std::uint64_t processes_blocked = 0;
};

// The busy share of the CPU time between two samples, in [0, 1]; none when no time passed
// (or the counters went backwards, as after a CPU was taken offline).
std::optional<double> CpuUtilisation(const CpuTimes& before, const CpuTimes& after);

struct MemoryStats {
  std::uint64_t total_bytes = 0;
  std::uint64_t free_bytes = 0;
  std::uint64_t available_bytes = 0;  // the kernel's estimate of what can be had without swapping
  std::uint64_t buffers_bytes = 0;
  std::uint64_t cached_bytes = 0;
  std::uint64_t swap_total_bytes = 0;
  std::uint64_t swap_free_bytes = 0;

  std::uint64_t used_bytes() const {
    return total_bytes > available_bytes ? total_bytes - available_bytes : 0;
  }
};

struct NetInterfaceStats {
  std::string name;
  std::uint64_t rx_bytes = 0;
  std::uint64_t rx_packets = 0;
  std::uint64_t rx_errors = 0;
  std::uint64_t rx_dropped = 0;
  std::uint64_t tx_bytes = 0;
  std::uint64_t tx_packets = 0;
  std::uint64_t tx_errors = 0;
  std::uint64_t tx_dropped = 0;
};

struct LoadAverage {
  double load1 = 0;
  double load5 = 0;
  double load15 = 0;
  std::uint64_t running_tasks = 0;  // runnable scheduling entities now
  std::uint64_t total_tasks = 0;    // scheduling entities that exist
};

// The kernel's TCP states, numbered as in the "st" column of /proc/net/tcp
// (include/net/tcp_states.h).
enum class TcpState : std::uint8_t {
  kEstablished = 1,
  kSynSent,
  kSynRecv,
  kFinWait1,
  kFinWait2,
  kTimeWait,
  kClose,
  kCloseWait,
  kLastAck,
  kListen,
  kClosing,
  kNewSynRecv,
};
inline constexpr int kTcpStateCount = 12;

// "ESTABLISHED", "TIME_WAIT", "LISTEN", ... as netstat and ss print them.
std::string_view ToString(TcpState state);

struct TcpStateCounts {
  std::array<std::uint64_t, kTcpStateCount + 1> by_state{};  // index: the state's number
  std::uint64_t other = 0;                                   // numbers this build does not know

  std::uint64_t Count(TcpState state) const { return by_state[static_cast<int>(state)]; }
  std::uint64_t Total() const;
  TcpStateCounts& operator+=(const TcpStateCounts& more);
};

// Parsers over a file's text; `file` names it in errors ("/proc/stat:3: ...").
core::Result<CpuStats> ParseProcStat(std::string_view text, std::string_view file,
                                     double ticks_per_second);
core::Result<MemoryStats> ParseMeminfo(std::string_view text, std::string_view file);
core::Result<std::vector<NetInterfaceStats>> ParseNetDev(std::string_view text,
                                                         std::string_view file);
core::Result<LoadAverage> ParseLoadavg(std::string_view text, std::string_view file);
core::Result<TcpStateCounts> ParseTcpSockets(std::string_view text, std::string_view file);

struct HostSample {
  CpuStats cpu;
  MemoryStats memory;
  std::vector<NetInterfaceStats> network;
  LoadAverage load;
  TcpStateCounts tcp;
};

struct HostStatsOptions {
  std::string proc_root = "/proc";
  double ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
};

class HostStats {
 public:
  explicit HostStats(HostStatsOptions options = {});

  core::Result<CpuStats> ReadCpu() const;
  core::Result<MemoryStats> ReadMemory() const;
  core::Result<std::vector<NetInterfaceStats>> ReadNetwork() const;
  core::Result<LoadAverage> ReadLoadAverage() const;
  // tcp and tcp6 together; a host without IPv6 has no tcp6 and counts none there.
  core::Result<TcpStateCounts> ReadTcpStates() const;
  core::Result<HostSample> ReadAll() const;

  double ticks_per_second() const { return ticks_per_second_; }

 private:
  std::string PathOf(std::string_view relative) const;

  HostStatsOptions options_;
  double ticks_per_second_;
};

// The whole text of a file, read until its end (files under /proc report a size of 0).
core::Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace ebb::metrics
