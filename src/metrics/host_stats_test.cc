#include "metrics/host_stats.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ebb::metrics {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Captured from a 2-CPU Debian 12 guest (kernel 6.1).
constexpr const char* kProcStat =
    "cpu  30956 0 5473 34442 787 0 78 143 0 0\n"
    "cpu0 14928 0 2413 18458 46 0 15 66 0 0\n"
    "cpu1 16028 0 3059 15983 741 0 63 76 0 0\n"
    "intr 1234567 0 9 0 0\n"
    "ctxt 2345678\n"
    "btime 1700000000\n"
    "processes 9969\n"
    "procs_running 5\n"
    "procs_blocked 1\n"
    "softirq 345 0 1 2 3 4 5 6 7 8 9\n";

constexpr const char* kMeminfo =
    "MemTotal:       24683584 kB\n"
    "MemFree:        22846692 kB\n"
    "MemAvailable:   23337148 kB\n"
    "Buffers:            7568 kB\n"
    "Cached:           657952 kB\n"
    "SwapCached:            0 kB\n"
    "SwapTotal:       1048572 kB\n"
    "SwapFree:        1048572 kB\n"
    "HugePages_Total:       0\n"
    "Hugepagesize:       2048 kB\n";

constexpr const char* kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n"
    "    lo:  915404   14014    0    0    0     0          0         0   915404   14014    0    "
    "0    0     0       0          0\n"
    "  eth0: 21682066     581    2    3    0     0          0         0    27306     317    4    "
    "5    0     0       0          0\n";

constexpr const char* kTcp =
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
    "inode\n"
    "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "1077 1 00000000cd9f0fac 100 0 0 10 0\n"
    "   1: 0100007F:4E1E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 "
    "13568 1 000000000d4897ee 100 0 1 10 0\n"
    "   2: 0100007F:0050 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 "
    "22 1 000000000d4897ee 20 4 30 10 -1\n"
    "   3: 0100007F:0050 0100007F:C352 06 00000000:00000000 03:00001770 00000000     0        0 "
    "0 3 0000000000000000\n";

constexpr const char* kTcp6 =
    "  sl  local_address                         remote_address                        st "
    "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
    "   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
    "00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0\n"
    "   1: 00000000000000000000000000000001:1F90 00000000000000000000000000000001:D000 0D "
    "00000000:00000000 00:00000000 00000000     0        0 1235 1 0000000000000000 100 0 0 10 0\n";

TEST(ParseProcStat, ConvertsJiffiesToSeconds) {
  auto stats = ParseProcStat(kProcStat, "stat", 100);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_DOUBLE_EQ(stats->all.user, 309.56);
  EXPECT_DOUBLE_EQ(stats->all.system, 54.73);
  EXPECT_DOUBLE_EQ(stats->all.idle, 344.42);
  EXPECT_DOUBLE_EQ(stats->all.iowait, 7.87);
  EXPECT_DOUBLE_EQ(stats->all.softirq, 0.78);
  EXPECT_DOUBLE_EQ(stats->all.steal, 1.43);
  EXPECT_DOUBLE_EQ(stats->all.Total(), (30956 + 5473 + 34442 + 787 + 78 + 143) / 100.0);
  EXPECT_DOUBLE_EQ(stats->all.Busy(), (30956 + 5473 + 78 + 143) / 100.0);
  ASSERT_EQ(stats->per_cpu.size(), 2u);
  EXPECT_DOUBLE_EQ(stats->per_cpu[1].user, 160.28);
  EXPECT_EQ(stats->context_switches, 2345678u);
  EXPECT_EQ(stats->processes_running, 5u);
  EXPECT_EQ(stats->processes_blocked, 1u);
}

TEST(ParseProcStat, AcceptsOldKernelsWithFourTimes) {
  auto stats = ParseProcStat("cpu 10 20 30 40\n", "stat", 100);
  ASSERT_TRUE(stats.ok());
  EXPECT_DOUBLE_EQ(stats->all.Total(), 1.0);
  EXPECT_EQ(stats->all.iowait, 0);
}

struct BadText {
  const char* text;
  const char* message;  // part of the error
};

TEST(ParseProcStat, NamesFileAndLineOfWhatDoesNotParse) {
  const BadText cases[] = {
      {"cpu 1 2 3\n", "stat:1: cpu: 3 times, expected at least 4"},
      {"cpu 1 2 3 4\ncpu0 1 2 x 4\n", "stat:2: cpu0: 'x' is not a count"},
      {"cpu 1 2 3 4\ncpuX 1 2 3 4\n", "stat:2: 'cpuX': not a CPU line"},
      {"cpu 1 2 3 4\nctxt\n", "stat:2: ctxt: expected one number"},
      {"ctxt 5\n", "stat: no 'cpu' line"},
  };
  for (const BadText& c : cases) {
    auto stats = ParseProcStat(c.text, "stat", 100);
    ASSERT_FALSE(stats.ok()) << c.text;
    EXPECT_THAT(stats.status().message(), HasSubstr(c.message));
  }
}

TEST(CpuUtilisation, IsTheBusyShareBetweenTwoSamples) {
  const CpuTimes before{.user = 10, .system = 5, .idle = 80, .iowait = 5};
  const CpuTimes after{.user = 16, .system = 7, .idle = 88, .iowait = 9};
  // busy +8 of total +20
  EXPECT_DOUBLE_EQ(CpuUtilisation(before, after).value_or(-1), 0.4);
  EXPECT_FALSE(CpuUtilisation(before, before).has_value());
  EXPECT_FALSE(CpuUtilisation(after, before).has_value());
}

TEST(ParseMeminfo, ReadsKilobytesAsBytes) {
  auto memory = ParseMeminfo(kMeminfo, "meminfo");
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  EXPECT_EQ(memory->total_bytes, 24683584ull * 1024);
  EXPECT_EQ(memory->free_bytes, 22846692ull * 1024);
  EXPECT_EQ(memory->available_bytes, 23337148ull * 1024);
  EXPECT_EQ(memory->buffers_bytes, 7568ull * 1024);
  EXPECT_EQ(memory->cached_bytes, 657952ull * 1024);
  EXPECT_EQ(memory->swap_total_bytes, 1048572ull * 1024);
  EXPECT_EQ(memory->used_bytes(), (24683584ull - 23337148ull) * 1024);
}

TEST(ParseMeminfo, NamesFileAndLineOfWhatDoesNotParse) {
  const BadText cases[] = {
      {"MemTotal: 10 kB\nMemFree 5 kB\n", "meminfo:2: expected 'Key: value [kB]'"},
      {"MemTotal: ten kB\n", "meminfo:1: MemTotal: 'ten' is not a count"},
      {"MemTotal: 10 MB\n", "meminfo:1: MemTotal: expected a number and 'kB'"},
      {"MemTotal: 10 kB\nMemFree: 5 kB\n", "meminfo: no MemAvailable line"},
  };
  for (const BadText& c : cases) {
    auto memory = ParseMeminfo(c.text, "meminfo");
    ASSERT_FALSE(memory.ok()) << c.text;
    EXPECT_THAT(memory.status().message(), HasSubstr(c.message));
  }
}

TEST(ParseNetDev, ReadsEveryInterface) {
  auto interfaces = ParseNetDev(kNetDev, "net/dev");
  ASSERT_TRUE(interfaces.ok()) << interfaces.status().ToString();
  ASSERT_EQ(interfaces->size(), 2u);
  EXPECT_EQ((*interfaces)[0].name, "lo");
  EXPECT_EQ((*interfaces)[0].rx_bytes, 915404u);
  const NetInterfaceStats& eth0 = (*interfaces)[1];
  EXPECT_EQ(eth0.name, "eth0");
  EXPECT_EQ(eth0.rx_bytes, 21682066u);
  EXPECT_EQ(eth0.rx_packets, 581u);
  EXPECT_EQ(eth0.rx_errors, 2u);
  EXPECT_EQ(eth0.rx_dropped, 3u);
  EXPECT_EQ(eth0.tx_bytes, 27306u);
  EXPECT_EQ(eth0.tx_packets, 317u);
  EXPECT_EQ(eth0.tx_errors, 4u);
  EXPECT_EQ(eth0.tx_dropped, 5u);
}

TEST(ParseNetDev, NamesFileAndLineOfWhatDoesNotParse) {
  const std::string header = "Inter-|   Receive |  Transmit\n face |bytes packets|bytes packets\n";
  const BadText cases[] = {
      {"nothing\n", "net/dev:1: expected the header"},
      {"", "net/dev: no header"},
  };
  for (const BadText& c : cases) {
    auto interfaces = ParseNetDev(c.text, "net/dev");
    ASSERT_FALSE(interfaces.ok()) << c.text;
    EXPECT_THAT(interfaces.status().message(), HasSubstr(c.message));
  }
  auto short_line = ParseNetDev(header + "eth0: 1 2 3\n", "net/dev");
  ASSERT_FALSE(short_line.ok());
  EXPECT_THAT(short_line.status().message(), HasSubstr("net/dev:3: eth0: 3 counters"));
  auto no_colon = ParseNetDev(header + "eth0 1 2 3\n", "net/dev");
  ASSERT_FALSE(no_colon.ok());
  EXPECT_THAT(no_colon.status().message(), HasSubstr("net/dev:3:"));
  // Old kernels glue the first counter to the colon.
  auto glued = ParseNetDev(header + "eth0:12 1 0 0 0 0 0 0 34 2 0 0 0 0 0 0\n", "net/dev");
  ASSERT_TRUE(glued.ok()) << glued.status().ToString();
  EXPECT_EQ((*glued)[0].rx_bytes, 12u);
  EXPECT_EQ((*glued)[0].tx_bytes, 34u);
}

TEST(ParseLoadavg, ReadsAveragesAndTasks) {
  auto load = ParseLoadavg("3.12 1.41 0.56 5/109 9969\n", "loadavg");
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_DOUBLE_EQ(load->load1, 3.12);
  EXPECT_DOUBLE_EQ(load->load5, 1.41);
  EXPECT_DOUBLE_EQ(load->load15, 0.56);
  EXPECT_EQ(load->running_tasks, 5u);
  EXPECT_EQ(load->total_tasks, 109u);

  const BadText cases[] = {
      {"", "loadavg: empty"},
      {"1 2 3 4/5\n", "loadavg:1: 4 fields"},
      {"1 x 3 4/5 6\n", "loadavg:1: 'x' is not a load average"},
      {"1 2 3 45 6\n", "loadavg:1: '45': expected running/total"},
      {"1 2 3 4/y 6\n", "loadavg:1: total: 'y' is not a count"},
  };
  for (const BadText& c : cases) {
    auto bad = ParseLoadavg(c.text, "loadavg");
    ASSERT_FALSE(bad.ok()) << c.text;
    EXPECT_THAT(bad.status().message(), HasSubstr(c.message));
  }
}

TEST(ParseTcpSockets, CountsSocketsByTheirHexState) {
  auto counts = ParseTcpSockets(kTcp, "net/tcp");
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->Count(TcpState::kListen), 2u);
  EXPECT_EQ(counts->Count(TcpState::kEstablished), 1u);
  EXPECT_EQ(counts->Count(TcpState::kTimeWait), 1u);
  EXPECT_EQ(counts->Total(), 4u);

  auto counts6 = ParseTcpSockets(kTcp6, "net/tcp6");
  ASSERT_TRUE(counts6.ok()) << counts6.status().ToString();
  EXPECT_EQ(counts6->Count(TcpState::kListen), 1u);
  EXPECT_EQ(counts6->other, 1u);  // 0D: a state this build does not know
  *counts += *counts6;
  EXPECT_EQ(counts->Count(TcpState::kListen), 3u);
  EXPECT_EQ(counts->Total(), 6u);

  EXPECT_EQ(ToString(TcpState::kTimeWait), "TIME_WAIT");
  EXPECT_EQ(ToString(TcpState::kListen), "LISTEN");
  EXPECT_EQ(ToString(TcpState::kNewSynRecv), "NEW_SYN_RECV");

  const BadText cases[] = {
      {"", "net/tcp: empty"},
      {"header\n", "net/tcp:1: expected the header"},
      {"  sl local\n   0: a b ZZ\n", "net/tcp:2: 'ZZ' is not a TCP state in hex"},
      {"  sl local\n   0: a\n", "net/tcp:2: expected 'sl: local remote st ...'"},
  };
  for (const BadText& c : cases) {
    auto bad = ParseTcpSockets(c.text, "net/tcp");
    ASSERT_FALSE(bad.ok()) << c.text;
    EXPECT_THAT(bad.status().message(), HasSubstr(c.message));
  }
}

// A /proc look-alike folder holding the captured texts.
class FixtureProc {
 public:
  FixtureProc() {
    std::random_device random;
    root_ = fs::temp_directory_path() /
            ("ebb-host-stats-test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
    fs::create_directories(root_ / "net");
    Write("stat", kProcStat);
    Write("meminfo", kMeminfo);
    Write("net/dev", kNetDev);
    Write("loadavg", "0.50 0.25 0.10 2/300 4242\n");
    Write("net/tcp", kTcp);
    Write("net/tcp6", kTcp6);
  }
  ~FixtureProc() {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }
  void Write(const std::string& relative, const std::string& text) const {
    std::ofstream(root_ / relative) << text;
  }
  void Remove(const std::string& relative) const { fs::remove(root_ / relative); }
  std::string root() const { return root_.string(); }

 private:
  fs::path root_;
};

TEST(HostStats, ReadsAFixtureFolder) {
  FixtureProc proc;
  HostStats host({.proc_root = proc.root(), .ticks_per_second = 100});
  auto sample = host.ReadAll();
  ASSERT_TRUE(sample.ok()) << sample.status().ToString();
  EXPECT_DOUBLE_EQ(sample->cpu.all.user, 309.56);
  EXPECT_EQ(sample->memory.total_bytes, 24683584ull * 1024);
  ASSERT_EQ(sample->network.size(), 2u);
  EXPECT_EQ(sample->load.total_tasks, 300u);
  EXPECT_EQ(sample->tcp.Count(TcpState::kListen), 3u);

  // No IPv6: tcp6 absent counts nothing.
  proc.Remove("net/tcp6");
  auto tcp = host.ReadTcpStates();
  ASSERT_TRUE(tcp.ok()) << tcp.status().ToString();
  EXPECT_EQ(tcp->Total(), 4u);

  // Errors name the file under the root and the line.
  proc.Write("loadavg", "0.50 0.25\n");
  auto load = host.ReadLoadAverage();
  ASSERT_FALSE(load.ok());
  EXPECT_THAT(load.status().message(), HasSubstr(proc.root() + "/loadavg:1:"));
  proc.Remove("meminfo");
  auto memory = host.ReadMemory();
  ASSERT_FALSE(memory.ok());
  EXPECT_EQ(memory.status().code(), core::StatusCode::kNotFound);
  EXPECT_THAT(memory.status().message(), HasSubstr(proc.root() + "/meminfo"));
}

TEST(HostStats, ReadsTheRealProc) {
  HostStats host;
  EXPECT_EQ(host.ticks_per_second(), static_cast<double>(sysconf(_SC_CLK_TCK)));
  auto first = host.ReadAll();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_GT(first->memory.total_bytes, 0u);
  EXPECT_LE(first->memory.available_bytes, first->memory.total_bytes);
  EXPECT_GE(first->cpu.per_cpu.size(), 1u);
  EXPECT_TRUE(std::any_of(first->network.begin(), first->network.end(),
                          [](const NetInterfaceStats& i) { return i.name == "lo"; }));
  EXPECT_GE(first->load.total_tasks, first->load.running_tasks);
  EXPECT_GT(first->load.total_tasks, 0u);

  // Spin (bounded) until the kernel's tick has counted some busy time. Not at the first tick
  // that moved the total: /proc/stat's busy counters can step back by a tick (seen once, in a
  // sanitizer build), which CpuUtilisation reports as no value rather than a wrong one.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::optional<double> utilisation;
  volatile std::uint64_t spin = 0;
  while (!utilisation && std::chrono::steady_clock::now() < give_up) {
    for (int i = 0; i < 1'000'000; ++i) spin = spin + 1;
    auto cpu = host.ReadCpu();
    ASSERT_TRUE(cpu.ok()) << cpu.status().ToString();
    utilisation = CpuUtilisation(first->cpu.all, cpu->all);
  }
  ASSERT_TRUE(utilisation.has_value());
  EXPECT_GE(*utilisation, 0);
  EXPECT_LE(*utilisation, 1);
}

TEST(HostStats, CountsAListeningSocketOfItsOwn) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  auto tcp = HostStats().ReadTcpStates();
  close(fd);
  ASSERT_TRUE(tcp.ok()) << tcp.status().ToString();
  EXPECT_GE(tcp->Count(TcpState::kListen), 1u);
}

}  // namespace
}  // namespace ebb::metrics
