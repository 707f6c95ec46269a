#include "metrics/host_stats.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace ebb::metrics {
namespace {

// Splits text into lines and numbers them from 1, for "file:line:" messages.
class Lines {
 public:
  explicit Lines(std::string_view text) : rest_(text) {}
  bool Next(std::string_view& line) {
    if (rest_.empty()) return false;
    const std::size_t end = rest_.find('\n');
    line = rest_.substr(0, end);
    rest_ = end == std::string_view::npos ? std::string_view() : rest_.substr(end + 1);
    ++number_;
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view rest_;
  int number_ = 0;
};

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

core::Status LineError(std::string_view file, int line, std::string_view message) {
  return core::InvalidArgumentError(fmt::format("{}:{}: {}", file, line, message));
}

template <typename T>
bool ParseNumber(std::string_view text, T& value, int base = 10) {
  const char* end = text.data() + text.size();
  std::from_chars_result result;
  if constexpr (std::is_floating_point_v<T>) {
    result = std::from_chars(text.data(), end, value);
  } else {
    result = std::from_chars(text.data(), end, value, base);
  }
  return result.ec == std::errc() && result.ptr == end && !text.empty();
}

core::Result<std::uint64_t> Uint(std::string_view text, std::string_view file, int line,
                                 std::string_view what) {
  std::uint64_t value = 0;
  if (!ParseNumber(text, value)) {
    return LineError(file, line, fmt::format("{}: '{}' is not a count", what, text));
  }
  return value;
}

}  // namespace

std::optional<double> CpuUtilisation(const CpuTimes& before, const CpuTimes& after) {
  const double total = after.Total() - before.Total();
  const double busy = after.Busy() - before.Busy();
  if (!(total > 0) || busy < 0) return std::nullopt;
  return std::min(1.0, busy / total);
}

std::string_view ToString(TcpState state) {
  switch (state) {
    case TcpState::kEstablished:
      return "ESTABLISHED";
    case TcpState::kSynSent:
      return "SYN_SENT";
    case TcpState::kSynRecv:
      return "SYN_RECV";
    case TcpState::kFinWait1:
      return "FIN_WAIT1";
    case TcpState::kFinWait2:
      return "FIN_WAIT2";
    case TcpState::kTimeWait:
      return "TIME_WAIT";
    case TcpState::kClose:
      return "CLOSE";
    case TcpState::kCloseWait:
      return "CLOSE_WAIT";
    case TcpState::kLastAck:
      return "LAST_ACK";
    case TcpState::kListen:
      return "LISTEN";
    case TcpState::kClosing:
      return "CLOSING";
    case TcpState::kNewSynRecv:
      return "NEW_SYN_RECV";
  }
  return "?";
}

std::uint64_t TcpStateCounts::Total() const {
  std::uint64_t total = other;
  for (std::uint64_t count : by_state) total += count;
  return total;
}

TcpStateCounts& TcpStateCounts::operator+=(const TcpStateCounts& more) {
  for (std::size_t i = 0; i < by_state.size(); ++i) by_state[i] += more.by_state[i];
  other += more.other;
  return *this;
}

core::Result<CpuStats> ParseProcStat(std::string_view text, std::string_view file,
                                     double ticks_per_second) {
  if (!(ticks_per_second > 0)) {
    return core::InvalidArgumentError(
        fmt::format("{}: clock ticks per second must be positive", file));
  }
  CpuStats stats;
  bool have_all = false;
  Lines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::vector<std::string_view> fields = Fields(line);
    if (fields.empty()) continue;
    const std::string_view key = fields[0];
    if (key.starts_with("cpu")) {
      // user nice system idle [iowait irq softirq steal guest guest_nice]: older kernels
      // print fewer, and the four first are in every one.
      if (fields.size() < 5) {
        return LineError(file, lines.number(),
                         fmt::format("{}: {} times, expected at least 4", key, fields.size() - 1));
      }
      CpuTimes times;
      double* slots[] = {&times.user,   &times.nice, &times.system,  &times.idle,
                         &times.iowait, &times.irq,  &times.softirq, &times.steal};
      for (std::size_t i = 1; i < fields.size() && i <= std::size(slots); ++i) {
        EBB_ASSIGN_OR_RETURN(std::uint64_t jiffies, Uint(fields[i], file, lines.number(), key));
        *slots[i - 1] = static_cast<double>(jiffies) / ticks_per_second;
      }
      if (key == "cpu") {
        stats.all = times;
        have_all = true;
      } else {
        // CPUs taken offline leave gaps in the numbering: keep the order, not the number.
        std::uint64_t number = 0;
        if (!ParseNumber(key.substr(3), number)) {
          return LineError(file, lines.number(), fmt::format("'{}': not a CPU line", key));
        }
        stats.per_cpu.push_back(times);
      }
      continue;
    }
    std::uint64_t* counter = key == "ctxt"            ? &stats.context_switches
                             : key == "procs_running" ? &stats.processes_running
                             : key == "procs_blocked" ? &stats.processes_blocked
                                                      : nullptr;
    if (counter == nullptr) continue;
    if (fields.size() != 2) {
      return LineError(file, lines.number(), fmt::format("{}: expected one number", key));
    }
    EBB_ASSIGN_OR_RETURN(*counter, Uint(fields[1], file, lines.number(), key));
  }
  if (!have_all) return core::InvalidArgumentError(fmt::format("{}: no 'cpu' line", file));
  return stats;
}

core::Result<MemoryStats> ParseMeminfo(std::string_view text, std::string_view file) {
  MemoryStats stats;
  struct Wanted {
    std::string_view key;
    std::uint64_t* into;
    bool required;
    bool seen = false;
  };
  Wanted wanted[] = {
      {"MemTotal", &stats.total_bytes, true},         {"MemFree", &stats.free_bytes, true},
      {"MemAvailable", &stats.available_bytes, true}, {"Buffers", &stats.buffers_bytes, false},
      {"Cached", &stats.cached_bytes, false},         {"SwapTotal", &stats.swap_total_bytes, false},
      {"SwapFree", &stats.swap_free_bytes, false},
  };
  Lines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return LineError(file, lines.number(), "expected 'Key: value [kB]'");
    }
    const std::string_view key = line.substr(0, colon);
    Wanted* slot = nullptr;
    for (Wanted& w : wanted) {
      if (w.key == key) slot = &w;
    }
    if (slot == nullptr) continue;
    const std::vector<std::string_view> fields = Fields(line.substr(colon + 1));
    if (fields.empty() || fields.size() > 2 || (fields.size() == 2 && fields[1] != "kB")) {
      return LineError(file, lines.number(), fmt::format("{}: expected a number and 'kB'", key));
    }
    EBB_ASSIGN_OR_RETURN(std::uint64_t value, Uint(fields[0], file, lines.number(), key));
    *slot->into = fields.size() == 2 ? value * 1024 : value;
    slot->seen = true;
  }
  for (const Wanted& w : wanted) {
    if (w.required && !w.seen) {
      return core::InvalidArgumentError(fmt::format("{}: no {} line", file, w.key));
    }
  }
  return stats;
}

core::Result<std::vector<NetInterfaceStats>> ParseNetDev(std::string_view text,
                                                         std::string_view file) {
  std::vector<NetInterfaceStats> interfaces;
  Lines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    // Two header lines: "Inter-|   Receive ..." and " face |bytes    packets ...".
    if (lines.number() <= 2) {
      if (line.find('|') == std::string_view::npos) {
        return LineError(file, lines.number(), "expected the header of /proc/net/dev");
      }
      continue;
    }
    if (Fields(line).empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return LineError(file, lines.number(), "expected 'interface: counters'");
    }
    NetInterfaceStats stats;
    const std::vector<std::string_view> name = Fields(line.substr(0, colon));
    if (name.size() != 1) return LineError(file, lines.number(), "expected one interface name");
    stats.name = std::string(name[0]);
    const std::vector<std::string_view> fields = Fields(line.substr(colon + 1));
    if (fields.size() != 16) {
      return LineError(file, lines.number(),
                       fmt::format("{}: {} counters, expected 16", stats.name, fields.size()));
    }
    // Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes
    // packets errs drop fifo colls carrier compressed.
    std::pair<int, std::uint64_t*> columns[] = {
        {0, &stats.rx_bytes},   {1, &stats.rx_packets},  {2, &stats.rx_errors},
        {3, &stats.rx_dropped}, {8, &stats.tx_bytes},    {9, &stats.tx_packets},
        {10, &stats.tx_errors}, {11, &stats.tx_dropped},
    };
    for (auto [column, into] : columns) {
      EBB_ASSIGN_OR_RETURN(*into, Uint(fields[column], file, lines.number(), stats.name));
    }
    interfaces.push_back(std::move(stats));
  }
  if (lines.number() < 2) {
    return core::InvalidArgumentError(fmt::format("{}: no header", file));
  }
  return interfaces;
}

core::Result<LoadAverage> ParseLoadavg(std::string_view text, std::string_view file) {
  Lines lines(text);
  std::string_view line;
  if (!lines.Next(line)) return core::InvalidArgumentError(fmt::format("{}: empty", file));
  const std::vector<std::string_view> fields = Fields(line);
  if (fields.size() != 5) {
    return LineError(file, 1,
                     fmt::format("{} fields, expected 5 (load1 load5 load15 running/total "
                                 "last_pid)",
                                 fields.size()));
  }
  LoadAverage load;
  double* averages[] = {&load.load1, &load.load5, &load.load15};
  for (int i = 0; i < 3; ++i) {
    if (!ParseNumber(fields[i], *averages[i]) || *averages[i] < 0) {
      return LineError(file, 1, fmt::format("'{}' is not a load average", fields[i]));
    }
  }
  const std::size_t slash = fields[3].find('/');
  if (slash == std::string_view::npos) {
    return LineError(file, 1, fmt::format("'{}': expected running/total", fields[3]));
  }
  EBB_ASSIGN_OR_RETURN(load.running_tasks, Uint(fields[3].substr(0, slash), file, 1, "running"));
  EBB_ASSIGN_OR_RETURN(load.total_tasks, Uint(fields[3].substr(slash + 1), file, 1, "total"));
  return load;
}

core::Result<TcpStateCounts> ParseTcpSockets(std::string_view text, std::string_view file) {
  TcpStateCounts counts;
  Lines lines(text);
  std::string_view line;
  while (lines.Next(line)) {
    const std::vector<std::string_view> fields = Fields(line);
    if (lines.number() == 1) {
      if (fields.empty() || fields[0] != "sl") {
        return LineError(file, 1, "expected the header of /proc/net/tcp ('sl local_address ...')");
      }
      continue;
    }
    if (fields.empty()) continue;
    // "sl: local_address rem_address st ...": the state is the fourth field, in hex.
    if (fields.size() < 4 || !fields[0].ends_with(':')) {
      return LineError(file, lines.number(), "expected 'sl: local remote st ...'");
    }
    unsigned state = 0;
    if (!ParseNumber(fields[3], state, 16) || state > 0xff) {
      return LineError(file, lines.number(),
                       fmt::format("'{}' is not a TCP state in hex", fields[3]));
    }
    if (state >= 1 && state <= kTcpStateCount) {
      ++counts.by_state[state];
    } else {
      ++counts.other;
    }
  }
  if (lines.number() == 0) return core::InvalidArgumentError(fmt::format("{}: empty", file));
  return counts;
}

core::Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    const std::string message = fmt::format("{}: cannot open: {}", path, std::strerror(error));
    if (error == ENOENT) return core::NotFoundError(message);
    return core::UnavailableError(message);
  }
  std::string text;
  char buffer[16384];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      close(fd);
      return core::UnavailableError(fmt::format("{}: cannot read: {}", path, std::strerror(error)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return text;
}

HostStats::HostStats(HostStatsOptions options)
    : options_(std::move(options)),
      ticks_per_second_(options_.ticks_per_second > 0 ? options_.ticks_per_second
                                                      : static_cast<double>(sysconf(_SC_CLK_TCK))) {
  // Linux has always answered _SC_CLK_TCK (USER_HZ, 100 on every mainstream architecture).
  if (!(ticks_per_second_ > 0)) ticks_per_second_ = 100;
}

std::string HostStats::PathOf(std::string_view relative) const {
  return (std::filesystem::path(options_.proc_root) / relative).string();
}

core::Result<CpuStats> HostStats::ReadCpu() const {
  const std::string path = PathOf("stat");
  EBB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseProcStat(text, path, ticks_per_second_);
}

core::Result<MemoryStats> HostStats::ReadMemory() const {
  const std::string path = PathOf("meminfo");
  EBB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseMeminfo(text, path);
}

core::Result<std::vector<NetInterfaceStats>> HostStats::ReadNetwork() const {
  const std::string path = PathOf("net/dev");
  EBB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseNetDev(text, path);
}

core::Result<LoadAverage> HostStats::ReadLoadAverage() const {
  const std::string path = PathOf("loadavg");
  EBB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseLoadavg(text, path);
}

core::Result<TcpStateCounts> HostStats::ReadTcpStates() const {
  const std::string path = PathOf("net/tcp");
  EBB_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  EBB_ASSIGN_OR_RETURN(TcpStateCounts counts, ParseTcpSockets(text, path));
  const std::string path6 = PathOf("net/tcp6");
  auto text6 = ReadWholeFile(path6);
  if (!text6.ok() && text6.status().code() == core::StatusCode::kNotFound) return counts;
  if (!text6.ok()) return text6.status();
  EBB_ASSIGN_OR_RETURN(TcpStateCounts counts6, ParseTcpSockets(*text6, path6));
  counts += counts6;
  return counts;
}

core::Result<HostSample> HostStats::ReadAll() const {
  HostSample sample;
  EBB_ASSIGN_OR_RETURN(sample.cpu, ReadCpu());
  EBB_ASSIGN_OR_RETURN(sample.memory, ReadMemory());
  EBB_ASSIGN_OR_RETURN(sample.network, ReadNetwork());
  EBB_ASSIGN_OR_RETURN(sample.load, ReadLoadAverage());
  EBB_ASSIGN_OR_RETURN(sample.tcp, ReadTcpStates());
  return sample;
}

}  // namespace ebb::metrics
