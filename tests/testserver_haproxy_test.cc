// `ebb testserver` as a real process on loopback: keep-alive, /health, a real capacity, the
// bounded queue, the SIGTERM drain; then two of them behind a real `haproxy` with health checks,
// read back over HAProxy's admin socket; and the three tools together: `ebb replay` sends a trace
// through haproxy to testservers, `ebb logstat` reads haproxy's log back, and its per-second
// trace drives `ebb simulate`. Every process a test starts is stopped before it ends (and dies
// with the test process: PR_SET_PDEATHSIG).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"
#include "testing/haproxy_process.h"
#include "tools/testserver/blocking_http_client.h"

namespace {

namespace fs = std::filesystem;
using ebb::testserver::BlockingHttpClient;
using ebb::testserver::GetRequest;
using ebb::testserver::HttpResponse;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr milliseconds kTimeout{10000};

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A child process; its stderr is a pipe the test reads, or a file. Killed if still running when
// the object goes away.
class Child {
 public:
  static std::unique_ptr<Child> Start(const std::vector<std::string>& argv,
                                      const fs::path& log_file = {}) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return nullptr;
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, STDIN_FILENO);
      if (log_file.empty()) {
        ::dup2(null, STDOUT_FILENO);
        ::dup2(fds[1], STDERR_FILENO);
      } else {
        const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
      }
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
    return std::unique_ptr<Child>(new Child(pid, fds[0]));
  }

  ~Child() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(stderr_fd_);
  }

  // Reads stderr until "listening on ADDRESS:PORT"; returns the port.
  std::optional<std::uint16_t> WaitForListening(milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      const std::size_t at = output_.find("listening on ");
      const std::size_t end = at == std::string::npos ? at : output_.find('\n', at);
      if (end != std::string::npos) {
        const std::string line = output_.substr(at, end - at);
        return static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
      }
      if (!ReadSome(deadline)) return std::nullopt;
    }
    return std::nullopt;
  }

  bool Signal(int signal) { return pid_ > 0 && ::kill(pid_, signal) == 0; }

  // The exit code (128 + signal when killed), or nullopt if still running at the deadline.
  std::optional<int> Wait(milliseconds timeout) {
    const Clock::time_point deadline = Clock::now() + timeout;
    while (pid_ > 0) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        pid_ = -1;
        while (ReadSome(Clock::now())) {
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      if (Clock::now() >= deadline) return std::nullopt;
      ReadSome(Clock::now() + milliseconds(20));
    }
    return std::nullopt;
  }

  const std::string& output() const { return output_; }

 private:
  Child(pid_t pid, int stderr_fd) : pid_(pid), stderr_fd_(stderr_fd) {}

  // False on EOF or at the deadline.
  bool ReadSome(Clock::time_point deadline) {
    char chunk[4096];
    const ssize_t n = ::read(stderr_fd_, chunk, sizeof(chunk));
    if (n > 0) {
      output_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{.fd = stderr_fd_, .events = POLLIN, .revents = 0};
    ::poll(&p, 1, static_cast<int>(left));
    return true;
  }

  pid_t pid_;
  int stderr_fd_;
  std::string output_;
};

// A running `ebb testserver`; port 0 and the port read from its stderr line.
struct Testserver {
  std::unique_ptr<Child> child;
  std::uint16_t port = 0;
};

Testserver StartTestserver(const std::vector<std::string>& flags) {
  std::vector<std::string> argv = {EBB_BINARY, "testserver", "--port", "0"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  Testserver server;
  server.child = Child::Start(argv);
  if (server.child) server.port = server.child->WaitForListening(kTimeout).value_or(0);
  return server;
}

BlockingHttpClient Connect(std::uint16_t port) {
  auto client = BlockingHttpClient::Connect("127.0.0.1", port, kTimeout);
  EXPECT_TRUE(client.ok()) << client.status().ToString();
  if (!client.ok()) std::abort();  // nothing sensible to test without a connection
  return std::move(client).value();
}

// --- ebb testserver alone -----------------------------------------------------------------

TEST(TestserverProcessTest, ServesKeepAliveRequestsAndHealth) {
  Testserver server = StartTestserver({"--service-time", "deterministic:0.01"});
  ASSERT_NE(server.port, 0) << (server.child ? server.child->output() : "");
  EXPECT_NE(server.child->output().find("listening on 127.0.0.1:" + std::to_string(server.port)),
            std::string::npos);
  BlockingHttpClient client = Connect(server.port);
  for (int i = 1; i <= 5; ++i) {
    auto response = client.Get("/", kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("x-request-number"), std::to_string(i));  // one connection
    EXPECT_EQ(response->Header("connection"), "keep-alive");
  }
  auto health = client.Get("/health", kTimeout);
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  ASSERT_TRUE(server.child->Signal(SIGTERM));
  EXPECT_EQ(server.child->Wait(kTimeout), 0) << server.child->output();
  EXPECT_NE(server.child->output().find("5 served"), std::string::npos) << server.child->output();
}

// K workers and a deterministic service time s: N requests at once take ceil(N/K) * s, and the
// i-th response comes after ceil(i/K) * s.
TEST(TestserverProcessTest, CapacityIsKWorkersOverTheServiceTime) {
  constexpr int kWorkers = 2;
  constexpr int kRequests = 5;
  constexpr double kServiceS = 0.3;
  Testserver server = StartTestserver({"--workers", std::to_string(kWorkers), "--service-time",
                                       "deterministic:" + std::to_string(kServiceS)});
  ASSERT_NE(server.port, 0) << server.child->output();
  std::vector<BlockingHttpClient> clients;
  for (int i = 0; i < kRequests; ++i) clients.push_back(Connect(server.port));
  std::vector<double> response_s(kRequests);
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      auto response = clients[i].Get("/", kTimeout);
      response_s[i] = response.ok() && response->status == 200 ? SecondsSince(start) : -1;
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double elapsed = SecondsSince(start);
  std::sort(response_s.begin(), response_s.end());
  for (int i = 0; i < kRequests; ++i) {
    const double expected = ((i / kWorkers) + 1) * kServiceS;
    EXPECT_GE(response_s[i], expected - 0.02) << "response " << i;
    EXPECT_LT(response_s[i], expected + 0.25) << "response " << i;
  }
  const double rounds = (kRequests + kWorkers - 1) / kWorkers;
  EXPECT_GE(elapsed, rounds * kServiceS - 0.02);
  EXPECT_LT(elapsed, rounds * kServiceS + 0.3);
  ASSERT_TRUE(server.child->Signal(SIGTERM));
  EXPECT_EQ(server.child->Wait(kTimeout), 0) << server.child->output();
}

TEST(TestserverProcessTest, AFullQueueAnswers503) {
  Testserver server =
      StartTestserver({"--workers", "1", "--queue", "1", "--service-time", "deterministic:0.5"});
  ASSERT_NE(server.port, 0) << server.child->output();
  BlockingHttpClient first = Connect(server.port);
  BlockingHttpClient second = Connect(server.port);
  BlockingHttpClient third = Connect(server.port);
  ASSERT_TRUE(first.Send(GetRequest("/")).ok());
  std::this_thread::sleep_for(milliseconds(50));
  ASSERT_TRUE(second.Send(GetRequest("/")).ok());
  std::this_thread::sleep_for(milliseconds(50));
  const Clock::time_point start = Clock::now();
  auto rejected = third.Get("/", kTimeout);
  ASSERT_TRUE(rejected.ok());
  EXPECT_EQ(rejected->status, 503);
  EXPECT_LT(SecondsSince(start), 0.3);
  for (BlockingHttpClient* client : {&first, &second}) {
    auto response = client->Read(kTimeout);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200);
  }
  ASSERT_TRUE(server.child->Signal(SIGINT));
  EXPECT_EQ(server.child->Wait(kTimeout), 0) << server.child->output();
  EXPECT_NE(server.child->output().find("1 rejected"), std::string::npos) << server.child->output();
}

TEST(TestserverProcessTest, SigtermFinishesRequestsInFlightAndQueuedThenExitsZero) {
  Testserver server =
      StartTestserver({"--workers", "2", "--queue", "4", "--service-time", "deterministic:0.5"});
  ASSERT_NE(server.port, 0) << server.child->output();
  std::vector<BlockingHttpClient> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(Connect(server.port));
  for (BlockingHttpClient& client : clients) ASSERT_TRUE(client.Send(GetRequest("/")).ok());
  std::this_thread::sleep_for(milliseconds(100));
  const Clock::time_point signalled = Clock::now();
  ASSERT_TRUE(server.child->Signal(SIGTERM));
  std::this_thread::sleep_for(milliseconds(100));
  // No longer accepting.
  auto late = BlockingHttpClient::Connect("127.0.0.1", server.port, milliseconds(1000));
  EXPECT_FALSE(late.ok());
  for (BlockingHttpClient& client : clients) {
    auto response = client.Read(kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("connection"), "close");
  }
  EXPECT_EQ(server.child->Wait(kTimeout), 0) << server.child->output();
  EXPECT_LT(SecondsSince(signalled), 3.0);
  EXPECT_NE(server.child->output().find("draining, 2 requests in service, 1 queued"),
            std::string::npos)
      << server.child->output();
  EXPECT_NE(server.child->output().find("3 served"), std::string::npos) << server.child->output();
}

TEST(TestserverProcessTest, BadFlagsExitWithUsageErrors) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--service-time", "uniform:1"},
        std::vector<std::string>{"--status-after", "ten:500"},
        std::vector<std::string>{"--bind", "localhost"}}) {
    Testserver server = StartTestserver(flags);
    EXPECT_EQ(server.port, 0);
    EXPECT_EQ(server.child->Wait(kTimeout), 2) << server.child->output();
    EXPECT_NE(server.child->output().find("ebb testserver: "), std::string::npos);
  }
}

// --- two testservers behind haproxy -------------------------------------------------------

// One command over HAProxy's admin socket; nullopt while it is not there yet.
std::optional<std::string> AdminCommand(const fs::path& socket_path, const std::string& command) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", socket_path.c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return std::nullopt;
  }
  const std::string line = command + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string reply;
  char chunk[8192];
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  while (::poll(&p, 1, 5000) > 0) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n <= 0) break;
    reply.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply;
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  return fields;
}

// `show stat` rows of one backend's servers: svname -> {column -> value}.
using ServerStats = std::map<std::string, std::map<std::string, std::string>>;

ServerStats ShowStat(const fs::path& socket_path, const std::string& backend) {
  ServerStats servers;
  const std::optional<std::string> reply = AdminCommand(socket_path, "show stat");
  if (!reply || !reply->starts_with("# ")) return servers;
  std::stringstream in(*reply);
  std::string header_line;
  std::getline(in, header_line);
  const std::vector<std::string> header = SplitCsv(header_line.substr(2));
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = SplitCsv(line);
    if (fields.size() < 2 || fields[0] != backend || fields[1] == "BACKEND") continue;
    for (std::size_t i = 0; i < std::min(fields.size(), header.size()); ++i) {
      servers[fields[1]][header[i]] = fields[i];
    }
  }
  return servers;
}

class TestserverHaproxyTest : public testing::Test {
 protected:
  void SetUp() override {
    haproxy_ = ebb::testing::HaproxyProcess::FindBinary();
    if (haproxy_.empty()) GTEST_SKIP() << "haproxy is not installed (apt-get install haproxy)";
    dir_ =
        fs::temp_directory_path() / ("ebb_haproxy_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  void TearDown() override {
    if (haproxy_child_) {
      haproxy_child_->Signal(SIGTERM);
      EXPECT_TRUE(haproxy_child_->Wait(kTimeout).has_value());
    }
    for (Testserver& server : servers_) {
      server.child->Signal(SIGTERM);
      EXPECT_EQ(server.child->Wait(kTimeout), 0) << server.child->output();
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // Starts the testservers (one flag list each) and haproxy in front of them.
  // With `http_log`, haproxy writes one `option httplog` line per request to its log file.
  void StartCluster(const std::vector<std::vector<std::string>>& server_flags,
                    bool http_log = false) {
    for (const auto& flags : server_flags) {
      servers_.push_back(StartTestserver(flags));
      ASSERT_NE(servers_.back().port, 0) << servers_.back().child->output();
    }
    frontend_port_ = ebb::testing::HaproxyProcess::FreeLoopbackPort();
    ASSERT_NE(frontend_port_, 0);
    std::ofstream config(dir_ / "haproxy.cfg");
    config << "global\n"
           << "  stats socket " << AdminSocket().string() << " level admin\n"
           << "  maxconn 256\n"
           << (http_log ? "  log stdout format raw local0\n" : "") << "defaults\n"
           << "  mode http\n"
           << (http_log ? "  log global\n  option httplog\n" : "") << "  timeout connect 2s\n"
           << "  timeout client 10s\n"
           << "  timeout server 10s\n"
           << "  timeout queue 5s\n"
           << "  timeout check 2s\n"
           << "frontend web\n"
           << "  bind 127.0.0.1:" << frontend_port_ << "\n"
           << "  default_backend app\n"
           << "backend app\n"
           << "  balance roundrobin\n"
           << "  option httpchk\n"
           << "  http-check send meth GET uri /health ver HTTP/1.1 hdr Host localhost\n"
           << "  http-check expect status 200\n"
           << "  default-server inter 200ms fall 2 rise 1\n";
    for (std::size_t i = 0; i < servers_.size(); ++i) {
      config << "  server s" << i + 1 << " 127.0.0.1:" << servers_[i].port << " check maxconn 2\n";
    }
    config.close();
    haproxy_child_ = Child::Start({haproxy_, "-f", (dir_ / "haproxy.cfg").string(), "-db"},
                                  dir_ / "haproxy.log");
    ASSERT_NE(haproxy_child_, nullptr);
  }

  fs::path AdminSocket() const { return dir_ / "admin.sock"; }

  std::string HaproxyLog() const { return ebb::testing::ReadFile(dir_ / "haproxy.log"); }

  // Polls `show stat` until `done` holds; returns the last stats.
  template <typename Predicate>
  ServerStats WaitForStats(Predicate done) {
    ServerStats stats;
    const Clock::time_point deadline = Clock::now() + kTimeout;
    while (Clock::now() < deadline) {
      stats = ShowStat(AdminSocket(), "app");
      if (done(stats)) return stats;
      std::this_thread::sleep_for(milliseconds(100));
    }
    return stats;
  }

  static bool Healthy(const ServerStats& stats, const std::string& server) {
    const auto it = stats.find(server);
    if (it == stats.end()) return false;
    // "* L7OK" while the next check is under way.
    std::string check = it->second.at("check_status");
    if (check.starts_with("* ")) check.erase(0, 2);
    return it->second.at("status") == "UP" && check == "L7OK";
  }
  static bool Down(const ServerStats& stats, const std::string& server) {
    const auto it = stats.find(server);
    return it != stats.end() && it->second.at("status") == "DOWN";
  }
  static std::uint64_t Sessions(const ServerStats& stats, const std::string& server) {
    const auto it = stats.find(server);
    return it == stats.end() ? 0 : std::stoull(it->second.at("stot"));
  }
  // "s1 UP L7OK stot 20; s2 ..." for failure messages.
  static std::string Describe(const ServerStats& stats) {
    std::string text;
    for (const auto& [name, columns] : stats) {
      text += name + " " + columns.at("status") + " " + columns.at("check_status") + " stot " +
              columns.at("stot") + "; ";
    }
    return text.empty() ? "no stats" : text;
  }
  std::string Server(std::size_t i) const {
    return "127.0.0.1:" + std::to_string(servers_[i].port);
  }

  std::string haproxy_;
  fs::path dir_;
  std::vector<Testserver> servers_;
  std::unique_ptr<Child> haproxy_child_;
  std::uint16_t frontend_port_ = 0;
};

TEST_F(TestserverHaproxyTest, BalancesAcrossTwoHealthyTestservers) {
  StartCluster({{"--workers", "2", "--service-time", "exponential:0.02", "--seed", "1"},
                {"--workers", "2", "--service-time", "exponential:0.02", "--seed", "2"}});
  ServerStats stats =
      WaitForStats([](const ServerStats& s) { return Healthy(s, "s1") && Healthy(s, "s2"); });
  ASSERT_TRUE(Healthy(stats, "s1") && Healthy(stats, "s2")) << Describe(stats) << HaproxyLog();

  std::map<std::string, int> served_by;
  std::vector<BlockingHttpClient> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(Connect(frontend_port_));
  for (int round = 0; round < 10; ++round) {
    for (BlockingHttpClient& client : clients) {
      auto response = client.Get("/page", kTimeout);
      ASSERT_TRUE(response.ok()) << response.status().ToString() << "\n" << HaproxyLog();
      EXPECT_EQ(response->status, 200);
      ++served_by[response->Header("x-server")];
    }
  }
  EXPECT_GT(served_by[Server(0)], 5);
  EXPECT_GT(served_by[Server(1)], 5);
  EXPECT_EQ(served_by[Server(0)] + served_by[Server(1)], 40);

  stats = ShowStat(AdminSocket(), "app");
  EXPECT_TRUE(Healthy(stats, "s1") && Healthy(stats, "s2")) << Describe(stats);
  EXPECT_EQ(Sessions(stats, "s1") + Sessions(stats, "s2"), 40u);
  EXPECT_GT(Sessions(stats, "s1"), 0u);
  EXPECT_GT(Sessions(stats, "s2"), 0u);
}

// --status-after turns s2 bad after 5 requests (application and /health): HAProxy's checks take
// it out of rotation and s1 serves everything.
TEST_F(TestserverHaproxyTest, AScriptedFailureTakesAServerOutOfRotation) {
  StartCluster(
      {{"--workers", "2", "--service-time", "deterministic:0.005"},
       {"--workers", "2", "--service-time", "deterministic:0.005", "--status-after", "5:503"}});
  ServerStats stats =
      WaitForStats([](const ServerStats& s) { return Healthy(s, "s1") && Healthy(s, "s2"); });
  ASSERT_TRUE(Healthy(stats, "s1") && Healthy(stats, "s2")) << Describe(stats) << HaproxyLog();

  BlockingHttpClient client = Connect(frontend_port_);
  int failed = 0;
  for (int i = 0; i < 20; ++i) {
    auto response = client.Get("/", kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    if (response->status != 200) ++failed;
  }
  EXPECT_GT(failed, 0);  // s2 answered 503 until its checks failed
  stats = WaitForStats([](const ServerStats& s) { return Down(s, "s2"); });
  ASSERT_TRUE(Down(stats, "s2")) << Describe(stats) << HaproxyLog();
  EXPECT_TRUE(Healthy(stats, "s1")) << Describe(stats);
  for (int i = 0; i < 10; ++i) {
    auto response = client.Get("/", kTimeout);
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->Header("x-server"), Server(0));
  }
}

// Runs `ebb ARGS`, bounded by the tool's own --duration and timeouts; returns stdout.
std::string RunEbb(const std::string& args, int* exit_code) {
  const ebb::testing::CommandResult run =
      ebb::testing::RunShell(std::string(EBB_BINARY) + " " + args);
  *exit_code = run.exit_code;
  return run.out;
}

// The tools end to end: a trace replayed through haproxy to two testservers; haproxy's own log,
// read by logstat, accounts for every request, per server, with the testservers' service time;
// logstat's per-second trace of it runs in the simulator.
TEST_F(TestserverHaproxyTest, ReplayedTrafficIsLoggedAnalysedAndSimulated) {
  StartCluster({{"--workers", "4", "--service-time", "deterministic:0.02"},
                {"--workers", "4", "--service-time", "deterministic:0.02"}},
               /*http_log=*/true);
  ServerStats stats =
      WaitForStats([](const ServerStats& s) { return Healthy(s, "s1") && Healthy(s, "s2"); });
  ASSERT_TRUE(Healthy(stats, "s1") && Healthy(stats, "s2")) << Describe(stats) << HaproxyLog();

  // 3 seconds of 40, 60 and 50 requests.
  const fs::path trace = dir_ / "trace.csv";
  std::ofstream(trace) << "unix_time,requests\n1000,40\n1001,60\n1002,50\n";
  int code = -1;
  const std::string replay = RunEbb(
      "replay " + trace.string() + " --target http://127.0.0.1:" + std::to_string(frontend_port_) +
          "/page --arrivals exact --json",
      &code);
  ASSERT_EQ(code, 0) << replay;
  const auto sent = nlohmann::json::parse(replay);
  ASSERT_EQ(sent["completed"], 150) << replay;
  ASSERT_EQ(sent["sent"], 150) << replay;

  // Stop haproxy so that its log is complete.
  haproxy_child_->Signal(SIGTERM);
  ASSERT_TRUE(haproxy_child_->Wait(kTimeout).has_value());
  haproxy_child_.reset();

  const fs::path per_second = dir_ / "per_second.csv";
  const std::string analysed = RunEbb(
      "logstat " + (dir_ / "haproxy.log").string() + " --json --per-second " + per_second.string(),
      &code);
  ASSERT_EQ(code, 0) << analysed;
  const auto log = nlohmann::json::parse(analysed);
  EXPECT_EQ(log["parsed"], 150) << HaproxyLog();
  EXPECT_EQ(log["status"]["200"], 150);
  EXPECT_EQ(log["sla_violations"], 0);
  const auto& app = log["backends"]["app"];
  EXPECT_EQ(app["service_time_ms"]["count"], 150);
  // Every request took the testservers' 20 ms, plus a little.
  EXPECT_GE(app["service_time_ms"]["min"].get<double>(), 19);
  EXPECT_LE(app["service_time_ms"]["p50"].get<double>(), 60);
  const int s1 = app["servers"]["s1"]["service_time_ms"]["count"];
  const int s2 = app["servers"]["s2"]["service_time_ms"]["count"];
  EXPECT_EQ(s1 + s2, 150);
  EXPECT_GT(s1, 30);
  EXPECT_GT(s2, 30);

  // The real log, as a trace, drives the simulator: the same 150 requests.
  const std::string simulated = RunEbb("simulate " + std::string(EBB_REPO_DIR) +
                                           "/examples/nasa-day.toml --set "
                                           "workload.trace=" +
                                           per_second.string() +
                                           " --set workload.scale=1 --set "
                                           "workload.arrivals=exact --json",
                                       &code);
  ASSERT_EQ(code, 0) << simulated;
  EXPECT_EQ(nlohmann::json::parse(simulated)["requests"], 150) << simulated;
}

}  // namespace
