#include "tools/demo/demo.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "lb/haproxy/haproxy_config.h"
#include "power/child_process.h"
#include "power/power_driver_factory.h"
#include "power/process_power_driver.h"
#include "tools/top/daemon_url.h"
#include "tools/top/status_fetcher.h"
#include "tools/top/top_screen.h"

namespace ebb::demo {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::atomic<bool> g_interrupted{false};

extern "C" void OnInterrupt(int) { g_interrupted.store(true); }

class WallClock final : public core::Clock {
 public:
  core::Seconds Now() const override {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string FindHaproxy() {
  for (const char* candidate : {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy",
                                "/usr/local/bin/haproxy"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "";
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Quote(const std::string& s) { return json(s).dump(); }

// The trace window the demo replays, written as its own per-second trace.
// `counts` gets the requests of each trace second from `start` on.
core::Status WriteExcerpt(const DemoOptions& o, const fs::path& out, double& start, double& end,
                          std::vector<double>& counts) {
  std::ifstream in(o.trace);
  if (!in) return core::NotFoundError(o.trace + ": cannot read the trace");
  std::ofstream excerpt(out);
  excerpt << "unix_time,requests\n";
  std::string line;
  std::size_t number = 0;
  std::size_t kept = 0;
  start = o.trace_start;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line.rfind("unix_time", 0) == 0) continue;
    const std::size_t comma = line.find(',');
    char* parse_end = nullptr;
    const double t = std::strtod(line.c_str(), &parse_end);
    if (comma == std::string::npos || parse_end != line.c_str() + comma) {
      return core::InvalidArgumentError(
          fmt::format("{}:{}: expected unix_time,requests", o.trace, number));
    }
    if (start == 0) start = t;
    if (t < start) continue;
    if (t >= start + o.trace_seconds) break;
    excerpt << line << "\n";
    ++kept;
    const auto second = static_cast<std::size_t>(t - start);
    if (counts.size() <= second) counts.resize(second + 1, 0);
    counts[second] += std::strtod(line.c_str() + comma + 1, nullptr);
  }
  end = start + o.trace_seconds;
  if (kept == 0) {
    return core::InvalidArgumentError(
        fmt::format("{}: no second of the trace falls in the demo's window", o.trace));
  }
  return core::Status::Ok();
}

// Everything the demo starts, stopped in reverse order whatever happens.
struct Cluster {
  WallClock clock;
  fs::path dir;
  fs::path socket_dir;  // a short private folder: a UNIX socket's path has at most 107 bytes
  bool keep = false;
  std::unique_ptr<power::ChildProcess> haproxy;
  std::unique_ptr<power::ChildProcess> daemon;
  std::unique_ptr<power::ChildProcess> replay;
  power::PowerDriverOptions power;

  void StopDaemon() {
    if (!daemon) return;
    daemon->Terminate(15);
    for (int i = 0; i < 400 && !daemon->Poll(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  void StopNodes() {
    if (power.run_dir.empty() || !fs::exists(power.run_dir)) return;
    auto driver = power::MakePowerDriver(power, clock);
    if (!driver.ok()) return;
    if (auto* process = dynamic_cast<power::ProcessPowerDriver*>(driver->get())) {
      (void)process->StopAll();
    }
  }
  void StopHaproxy() {
    if (!haproxy) return;
    haproxy->Terminate(5);
    for (int i = 0; i < 200 && !haproxy->Poll(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Cluster() {
    replay.reset();  // kills it if still running
    StopDaemon();
    StopNodes();
    StopHaproxy();
    daemon.reset();
    haproxy.reset();
    std::error_code ignored;
    if (!socket_dir.empty()) fs::remove_all(socket_dir, ignored);
    if (!keep && !dir.empty()) fs::remove_all(dir, ignored);
  }
};

struct LiveStats {
  double node_downtime_s = 0;
  json last_status;
  double last_at = 0;
};

std::string SummaryLine(const char* label, const std::string& live, const std::string& sim) {
  return fmt::format("  {:<24} {:>16} {:>16}\n", label, live, sim);
}

}  // namespace

int RunDemo(const DemoOptions& o) {
  if (o.nodes < 1 || o.workers < 1 || o.minutes <= 0 || o.scale < 0 || o.service_mean_s <= 0 ||
      o.trace_seconds <= 0) {
    fmt::print(stderr,
               "ebb demo: --nodes, --workers, --minutes, --scale and the service time "
               "must be positive\n");
    return 2;
  }
  const std::string haproxy_binary = FindHaproxy();
  if (haproxy_binary.empty()) {
    fmt::print(stderr, "ebb demo: haproxy is not installed (scripts/setup.sh installs it)\n");
    return 1;
  }
  g_interrupted.store(false);
  struct sigaction action {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  ::sigaction(SIGINT, &action, &old_int);
  ::sigaction(SIGTERM, &action, &old_term);
  struct Restore {
    struct sigaction i, t;
    ~Restore() {
      ::sigaction(SIGINT, &i, nullptr);
      ::sigaction(SIGTERM, &t, nullptr);
    }
  } restore{old_int, old_term};

  Cluster cluster;
  if (o.keep_dir.empty()) {
    std::string pattern = (fs::temp_directory_path() / "ebb-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      fmt::print(stderr, "ebb demo: cannot create a work folder: {}\n", std::strerror(errno));
      return 1;
    }
    cluster.dir = pattern;
  } else {
    cluster.dir = fs::absolute(o.keep_dir);
    cluster.keep = true;
    std::error_code ec;
    fs::create_directories(cluster.dir, ec);
    if (ec) {
      fmt::print(stderr, "ebb demo: {}: {}\n", cluster.dir.string(), ec.message());
      return 1;
    }
  }
  const fs::path& dir = cluster.dir;
  // HAProxy binds its socket under a longer temporary name first, so the work folder (which may
  // be deep, with --keep) is no place for it.
  {
    std::string pattern = (fs::temp_directory_path() / "ebb-sock-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      fmt::print(stderr, "ebb demo: cannot create a socket folder: {}\n", std::strerror(errno));
      return 1;
    }
    cluster.socket_dir = pattern;
  }
  const fs::path admin_socket = cluster.socket_dir / "admin.sock";
  auto fail = [&](const std::string& what) {
    fmt::print(stderr, "ebb demo: {}\n", what);
    if (!cluster.keep) {
      fmt::print(stderr, "ebb demo: logs were in {} (use --keep DIR to keep them)\n", dir.string());
    }
    return 1;
  };

  double window_start = 0, window_end = 0;
  std::vector<double> counts;
  if (core::Status s = WriteExcerpt(o, dir / "trace.csv", window_start, window_end, counts);
      !s.ok()) {
    fmt::print(stderr, "ebb demo: {}\n", s.message());
    return 2;
  }
  const double replay_s = o.minutes * 60;
  const double speedup = o.trace_seconds / replay_s;
  const double capacity_rps = o.workers / o.service_mean_s;
  double scale = o.scale;
  if (scale <= 0) {
    // The replay's rate per real second, smoothed over 5 s; its peak sets the scale.
    std::vector<double> per_real_second(static_cast<std::size_t>(replay_s) + 1, 0);
    for (std::size_t t = 0; t < counts.size(); ++t) {
      const auto bin = std::min(per_real_second.size() - 1,
                                static_cast<std::size_t>(static_cast<double>(t) / speedup));
      per_real_second[bin] += counts[t];
    }
    double peak = 0, window = 0;
    for (std::size_t i = 0; i < per_real_second.size(); ++i) {
      window += per_real_second[i] - (i >= 5 ? per_real_second[i - 5] : 0);
      peak = std::max(peak, window / 5);
    }
    scale = peak > 0 ? 0.6 * o.nodes * capacity_rps / peak : 1;
  }
  const double boot_s = 1.5 + o.boot_delay_s;

  // Ports and the node inventory.
  const int frontend_port = FreeLoopbackPort();
  const int http_port = FreeLoopbackPort();
  std::vector<core::NodeSpec> nodes;
  for (int i = 0; i < o.nodes; ++i) {
    nodes.push_back({.name = fmt::format("web{}", i + 1),
                     .host = "127.0.0.1",
                     .port = FreeLoopbackPort(),
                     .capacity_rps = capacity_rps,
                     .boot_s = boot_s,
                     .shutdown_s = 1});
  }

  // haproxy: the backend block is what `ebb haproxy-config` prints for this inventory.
  lb::haproxy::BackendConfigOptions backend;
  backend.name = "web";
  backend.balance = "leastconn";
  backend.servers.check_interval_ms = 500;
  backend.servers.rise = 2;
  backend.servers.fall = 2;
  backend.servers.maxconn = o.workers;
  backend.servers.slowstart_s = 0;
  core::Result<std::string> backend_text = lb::haproxy::RenderBackend(nodes, backend);
  if (!backend_text.ok()) return fail(backend_text.status().message());
  // The nodes are off when the demo begins: their servers start in maint (`disabled`), or
  // haproxy would count them UP until their first checks fail.
  std::string servers;
  std::istringstream lines(*backend_text);
  for (std::string line; std::getline(lines, line);) {
    servers += line + (line.find(" server ") != std::string::npos ? " disabled\n" : "\n");
  }
  {
    std::ofstream cfg(dir / "haproxy.cfg");
    cfg << "global\n  stats socket " << admin_socket.string()
        << " level admin\n  maxconn 4096\n  nbthread 1\n  log stdout format raw local0\n"
        << "defaults\n  mode http\n  log global\n  option httplog\n  timeout connect 2s\n"
        << "  timeout client 60s\n  timeout server 60s\n  timeout queue 30s\n"
        << "  timeout check 2s\n"
        << "frontend fe\n  bind 127.0.0.1:" << frontend_port << "\n  default_backend web\n"
        << servers;
  }

  // The daemon's and the simulator's configurations share the model and the policy.
  const std::string policy_section = fmt::format(
      "[policy]\nname = {}\ninterval_s = 1\nmin_nodes = 1\nunderload_cycles = 5\n"
      "down_cooldown_s = 5\nup_cooldown_s = 0\ndrain_timeout_s = 10\n\n[sla]\nresponse_s = 5\n",
      Quote(o.policy));
  const std::string model = fmt::format(
      "boot_s = {}\nshutdown_s = 1\ncapacity_rps = {}\n"
      "power = {{ off_w = 5, boot_w = 150, idle_w = 100, busy_w = 200 }}\n",
      boot_s, capacity_rps);
  const std::string service = fmt::format("exponential:{}", o.service_mean_s);
  cluster.power.driver = "process";
  cluster.power.on = {o.ebb_binary,     "testserver", "--port",    "{port}",
                      "--service-time", service,      "--workers", std::to_string(o.workers),
                      "--queue",        "1024"};
  if (o.boot_delay_s > 0) {
    cluster.power.on.push_back("--boot-delay");
    cluster.power.on.push_back(fmt::format("{}", o.boot_delay_s));
  }
  cluster.power.stop_timeout_s = 10;
  cluster.power.run_dir = (dir / "nodes").string();
  {
    json on = cluster.power.on;
    std::ofstream live(dir / "ebb.toml");
    live << "# written by `ebb demo`\n[cluster]\n"
         << model << "\n"
         << policy_section << "\n[haproxy]\nsocket = " << Quote(admin_socket.string())
         << "\nbackend = \"web\"\n\n[power]\ndriver = \"process\"\non = " << on.dump()
         << "\nstop_timeout_s = 10\nrun_dir = " << Quote(cluster.power.run_dir)
         << "\n\n[state]\npath = " << Quote((dir / "ebb.db").string())
         << "\n\n[http]\nlisten = \"127.0.0.1:" << http_port << "\"\n";
    for (const core::NodeSpec& n : nodes) {
      live << "\n[[node]]\nname = \"" << n.name << "\"\nport = " << n.port << "\n";
    }
    std::ofstream sim(dir / "simulate.toml");
    sim << "# written by `ebb demo`: its prediction of the live run\n[cluster]\nnodes = " << o.nodes
        << "\ninitial_nodes = 1\nmaxconn = " << o.workers << "\n"
        << model
        << fmt::format("service_time = {{ dist = \"exponential\", mean_s = {} }}\n",
                       o.service_mean_s)
        << "\n[balancer]\nalgorithm = \"leastconn\"\nqueue_timeout_s = 30\n\n"
        << policy_section << "\n[workload]\ntrace = " << Quote((dir / "trace.csv").string())
        << "\nformat = \"per-second\"\narrivals = \"poisson\"\nscale = " << scale
        << "\nspeedup = " << speedup << "\n";
  }

  auto spawn = [&](std::vector<std::string> argv,
                   const std::string& log) -> core::Result<std::unique_ptr<power::ChildProcess>> {
    return power::ChildProcess::Spawn(
        {.argv = std::move(argv), .output_path = (dir / log).string()}, cluster.clock);
  };
  // haproxy's own notices (stderr) are kept apart from its access log (stdout), which logstat
  // reads: one file for both could let a notice cut into a log line.
  auto haproxy = power::ChildProcess::Spawn(
      {.argv = {haproxy_binary, "-f", (dir / "haproxy.cfg").string(), "-db"},
       .output_path = (dir / "haproxy.log").string(),
       .capture_stderr = power::StderrCapture::kYes},
      cluster.clock);
  if (!haproxy.ok()) return fail("haproxy: " + haproxy.status().message());
  cluster.haproxy = std::move(*haproxy);
  std::optional<power::ExitStatus> haproxy_exit;
  for (int i = 0; i < 400 && !fs::exists(admin_socket); ++i) {
    if ((haproxy_exit = cluster.haproxy->Poll())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!fs::exists(admin_socket)) {
    return fail(fmt::format("haproxy did not start{}: {}",
                            haproxy_exit ? " (" + haproxy_exit->ToString() + ")" : "",
                            cluster.haproxy->StderrTail(2000)));
  }

  auto daemon = spawn({o.ebb_binary, "run", (dir / "ebb.toml").string()}, "ebb-run.log");
  if (!daemon.ok()) return fail("ebb run: " + daemon.status().message());
  cluster.daemon = std::move(*daemon);
  const std::string status_url = fmt::format("http://127.0.0.1:{}", http_port);
  core::Result<top::DaemonUrl> url = top::ParseDaemonUrl(status_url);
  if (!url.ok()) return fail(url.status().message());

  FILE* progress = o.json ? stderr : o.out;
  fmt::print(progress,
             "ebb demo: haproxy on 127.0.0.1:{} in front of {} testserver nodes ({} workers, "
             "{} s mean service), switched by `ebb run` (policy {}); status at {}/status\n",
             frontend_port, o.nodes, o.workers, o.service_mean_s, o.policy, status_url);
  // Wait for the first node to serve: before that haproxy answers 503 to every request. What
  // the daemon counted until then (the first boot, its energy) is not part of the replay.
  bool serving = false;
  json baseline;
  for (int i = 0; i < 300 && !serving && !g_interrupted.load(); ++i) {
    if (auto exit = cluster.daemon->Poll()) {
      return fail("ebb run stopped (" + exit->ToString() + "):\n" + ReadAll(dir / "ebb-run.log"));
    }
    auto status = top::FetchStatus(*url, {.connect_s = 1, .read_s = 2});
    serving = status.ok() && status->value("/load/serving"_json_pointer, 0) >= 1;
    if (serving) baseline = *status;
    if (!serving) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (g_interrupted.load()) return 130;
  if (!serving) return fail("no node came into rotation within 30 s: see ebb-run.log");

  fmt::print(progress,
             "ebb demo: replaying {:.0f} s of {} (from Unix time {:.0f}) in {:.0f} s: x{:.0f} "
             "faster, x{} requests\n",
             o.trace_seconds, fs::path(o.trace).filename().string(), window_start, replay_s,
             speedup, scale);
  auto replay = spawn(
      {o.ebb_binary, "replay", (dir / "trace.csv").string(), "--target",
       fmt::format("http://127.0.0.1:{}/", frontend_port), "--speedup", fmt::format("{}", speedup),
       "--scale", fmt::format("{}", scale), "--connections", "512", "--json"},
      "replay.json");
  if (!replay.ok()) return fail("ebb replay: " + replay.status().message());
  cluster.replay = std::move(*replay);

  const bool tty = o.live && ::isatty(::fileno(progress));
  LiveStats live;
  const double began = cluster.clock.Now();
  double last_line = -1e9;
  std::optional<power::ExitStatus> replay_exit;
  while (!(replay_exit = cluster.replay->Poll()) && !g_interrupted.load()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const double now = cluster.clock.Now();
    if (now - live.last_at < 1) continue;
    auto status = top::FetchStatus(*url, {.connect_s = 1, .read_s = 2});
    if (!status.ok()) continue;
    if (live.last_at > 0) {
      int down = 0;
      for (const json& node : live.last_status["nodes"]) {
        if (node.value("state", "") == "DOWN") ++down;
      }
      live.node_downtime_s += down * (now - live.last_at);
    }
    live.last_status = *status;
    live.last_at = now;
    if (!o.live) continue;
    if (tty) {
      top::TopLayout layout{.columns = 100, .rows = 14 + o.nodes, .colour = top::ColourMode::kAnsi};
      layout.source = fmt::format("demo {:.0f}/{:.0f} s", now - began, replay_s);
      fmt::print(progress, "\x1b[H\x1b[2J{}", top::RenderTop(*status, layout));
      std::fflush(progress);
    } else if (now - last_line >= 10) {
      last_line = now;
      std::string states;
      for (const json& node : status->value("nodes", json::array())) {
        states += fmt::format(" {}:{}", node.value("name", "?"), node.value("state", "?"));
      }
      fmt::print(progress, "  t={:>4.0f}s  {:>6.1f} rps  serving {}  powered {} {}\n", now - began,
                 status->value("/load/rate_rps"_json_pointer, 0.0),
                 status->value("/load/serving"_json_pointer, 0),
                 status->value("/load/powered"_json_pointer, 0), states);
      std::fflush(progress);
    }
  }
  if (g_interrupted.load()) {
    fmt::print(stderr, "\nebb demo: interrupted; stopping everything\n");
    return 130;
  }
  // The daemon's own account at the end of the replay (energy, boots), then stop the daemon
  // (nodes back in rotation), the nodes and haproxy, so that haproxy's log is complete.
  if (auto status = top::FetchStatus(*url, {.connect_s = 1, .read_s = 2}); status.ok()) {
    live.last_status = *status;
  }
  cluster.StopDaemon();
  cluster.StopNodes();
  cluster.StopHaproxy();

  json replay_report;
  try {
    replay_report = json::parse(ReadAll(dir / "replay.json"));
  } catch (const json::exception&) {
    return fail("ebb replay gave no report (" + replay_exit->ToString() + ")");
  }
  auto run_json = [&](std::vector<std::string> argv, const std::string& name) -> json {
    power::ChildOptions child{.argv = std::move(argv),
                              .output_path = (dir / name).string(),
                              .capture_stderr = power::StderrCapture::kYes};
    child.timeout_s = 600;
    auto done = power::RunToCompletion(child);
    try {
      return json::parse(ReadAll(dir / name));
    } catch (const json::exception&) {
      return json();
    }
  };
  // haproxy's log holds the access lines and its own notices; logstat counts the former.
  json logstat =
      run_json({o.ebb_binary, "logstat", (dir / "haproxy.log").string(), "--json"}, "logstat.json");
  json simulated = run_json({o.ebb_binary, "simulate", (dir / "simulate.toml").string(), "--json"},
                            "simulate.json");
  if (logstat.is_null()) return fail("ebb logstat could not read haproxy's log");
  if (simulated.is_null()) return fail("ebb simulate failed: see simulate.toml");

  std::uint64_t logstat_failed = 0;
  const json statuses = logstat.value("status", json::object());
  for (const auto& [code, count] : statuses.items()) {
    // 5xx answers, and -1: no answer at all (a connection cut before a status).
    if ((code.size() == 3 && code[0] == '5') || code == "-1") {
      logstat_failed += count.get<std::uint64_t>();
    }
  }
  const std::uint64_t sent = replay_report.value("sent", 0ULL);
  const std::uint64_t replay_failed = replay_report.value("/errors/total"_json_pointer, 0ULL) +
                                      replay_report.value("/status_codes/5xx"_json_pointer, 0ULL) +
                                      replay_report.value("unfinished", 0ULL);
  auto since_replay = [&](const char* pointer) {
    const json::json_pointer p(pointer);
    return live.last_status.value(p, 0.0) - baseline.value(p, 0.0);
  };
  const double live_kwh = since_replay("/energy/energy_kwh");
  const double live_always_on = since_replay("/energy/always_on_energy_kwh");
  json summary = {
      {"window",
       {{"trace", o.trace},
        {"start", window_start},
        {"seconds", o.trace_seconds},
        {"speedup", speedup},
        {"scale", scale}}},
      {"live",
       {{"requests", sent},
        {"failed_replay", replay_failed},
        {"logstat_requests", logstat.value("requests", 0ULL)},
        {"failed_logstat", logstat_failed},
        {"sla_ok_ratio", replay_report.value("sla_ok_ratio", 0.0)},
        {"p95_s", replay_report.value("/response_ms/p95"_json_pointer, 0.0) / 1000},
        {"p99_s", replay_report.value("/response_ms/p99"_json_pointer, 0.0) / 1000},
        {"boots", static_cast<int>(since_replay("/counters/boots"))},
        {"power_offs", static_cast<int>(since_replay("/counters/power_offs"))},
        {"node_downtime_s", live.node_downtime_s},
        {"energy_kwh", live_kwh},
        {"always_on_energy_kwh", live_always_on},
        {"saving_ratio", live_always_on > 0 ? 1 - live_kwh / live_always_on : 0.0}}},
      {"simulated",
       {{"requests", simulated.value("requests", 0ULL)},
        {"failed", simulated.value("rejected", 0ULL) + simulated.value("aborted", 0ULL)},
        {"sla_ok_ratio", simulated.value("sla_ok_ratio", 0.0)},
        {"p95_s", simulated.value("/response_time_s/p95"_json_pointer, 0.0)},
        {"p99_s", simulated.value("/response_time_s/p99"_json_pointer, 0.0)},
        {"boots", simulated.value("boots", 0)},
        {"power_offs", simulated.value("shutdowns", 0)},
        {"node_downtime_s", simulated.value("node_downtime_s", 0.0)},
        {"energy_kwh", simulated.value("energy_kwh", 0.0)},
        {"always_on_energy_kwh", simulated.value("always_on_energy_kwh", 0.0)},
        {"saving_ratio", simulated.value("saving_ratio", 0.0)}}},
      {"work_dir", cluster.keep ? dir.string() : ""},
  };
  if (o.json) {
    fmt::print(o.out, "{}\n", summary.dump(2));
  } else {
    const json& l = summary["live"];
    const json& s = summary["simulated"];
    std::string text = "\nebb demo: summary (live on loopback vs. the simulator's prediction)\n";
    text += SummaryLine("", "live", "simulated");
    text += SummaryLine("requests", fmt::format("{}", l["requests"].get<std::uint64_t>()),
                        fmt::format("{}", s["requests"].get<std::uint64_t>()));
    text += SummaryLine("failed (replay/logstat)",
                        fmt::format("{} / {}", l["failed_replay"].get<std::uint64_t>(),
                                    l["failed_logstat"].get<std::uint64_t>()),
                        fmt::format("{}", s["failed"].get<std::uint64_t>()));
    text +=
        SummaryLine("SLA share (<= 5 s)", fmt::format("{:.4f}", l["sla_ok_ratio"].get<double>()),
                    fmt::format("{:.4f}", s["sla_ok_ratio"].get<double>()));
    text += SummaryLine(
        "response p95 / p99 (s)",
        fmt::format("{:.3f} / {:.3f}", l["p95_s"].get<double>(), l["p99_s"].get<double>()),
        fmt::format("{:.3f} / {:.3f}", s["p95_s"].get<double>(), s["p99_s"].get<double>()));
    text += SummaryLine("boots / power-offs",
                        fmt::format("{} / {}", l["boots"].get<int>(), l["power_offs"].get<int>()),
                        fmt::format("{} / {}", s["boots"].get<int>(), s["power_offs"].get<int>()));
    text += SummaryLine("node downtime (node-s)",
                        fmt::format("{:.0f}", l["node_downtime_s"].get<double>()),
                        fmt::format("{:.0f}", s["node_downtime_s"].get<double>()));
    text += SummaryLine("energy (Wh)", fmt::format("{:.2f}", 1000 * l["energy_kwh"].get<double>()),
                        fmt::format("{:.2f}", 1000 * s["energy_kwh"].get<double>()));
    text += SummaryLine("always on (Wh)",
                        fmt::format("{:.2f}", 1000 * l["always_on_energy_kwh"].get<double>()),
                        fmt::format("{:.2f}", 1000 * s["always_on_energy_kwh"].get<double>()));
    text += SummaryLine("saved", fmt::format("{:.1f} %", 100 * l["saving_ratio"].get<double>()),
                        fmt::format("{:.1f} %", 100 * s["saving_ratio"].get<double>()));
    text += "  (live energy is estimated from the node power model; the simulator integrates it)\n";
    if (cluster.keep) text += fmt::format("  logs, configs and reports: {}\n", dir.string());
    fmt::print(o.out, "{}", text);
  }
  return 0;
}

}  // namespace ebb::demo
