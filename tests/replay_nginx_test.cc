// `ebb replay` end to end against a real nginx that the test starts in a temporary prefix on a
// free loopback port (skipped when /usr/sbin/nginx is missing), and against sockets the test owns:
// a closed port and a listener that never answers. Every run is bounded by its trace, --duration
// and --timeout-ms; nginx and every ebb process are stopped by the test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"

namespace {

namespace fs = std::filesystem;
constexpr const char* kNginx = "/usr/sbin/nginx";

using ebb::testing::CommandResult;
using ebb::testing::ReadFile;

// Runs `ebb ARGS` with stdout and stderr in files under `dir`; sends SIGINT after `interrupt`
// when it is set; kills it after 60 s whatever happens.
CommandResult Ebb(const fs::path& dir, const std::vector<std::string>& args,
                  std::chrono::milliseconds interrupt = std::chrono::milliseconds(0)) {
  const fs::path out = dir / "stdout";
  const fs::path err = dir / "stderr";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv;
    std::string binary = EBB_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  CommandResult result;
  const auto begin = std::chrono::steady_clock::now();
  bool interrupted = false;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    const auto elapsed = std::chrono::steady_clock::now() - begin;
    if (interrupt.count() > 0 && !interrupted && elapsed >= interrupt) {
      ::kill(pid, SIGINT);
      interrupted = true;
    }
    if (elapsed > std::chrono::seconds(60)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadFile(out);
  result.err = ReadFile(err);
  return result;
}

// A loopback listener on a free port that never accepts; closed by the destructor.
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length);
    ::listen(fd_, 64);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~Listener() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

bool CanConnect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

class ReplayNginxTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::temp_directory_path() / ("ebb_replay_" + std::to_string(::getpid()) + "_" +
                                     testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "www");
    fs::create_directories(dir_ / "logs");
    ::chmod(dir_.c_str(), 0755);  // nginx's workers run as nobody when the test runs as root
  }
  void TearDown() override {
    if (nginx_pid_ > 0) {
      ::kill(nginx_pid_, SIGTERM);
      int status;
      ::waitpid(nginx_pid_, &status, 0);
    }
    fs::remove_all(dir_);
  }

  // Starts nginx serving dir_/www on a free port; false (with a message) when it did not come up.
  bool StartNginx() {
    {
      Listener probe;
      nginx_port_ = probe.port();
    }
    std::ofstream(dir_ / "www" / "index.html") << std::string(612, 'x');
    std::ofstream(dir_ / "nginx.conf")
        << "worker_processes 1;\npid " << (dir_ / "nginx.pid").string() << ";\n"
        << "error_log " << (dir_ / "logs" / "error.log").string() << " warn;\n"
        << "events { worker_connections 1024; }\n"
        << "http {\n  access_log off;\n  server {\n    listen 127.0.0.1:" << nginx_port_
        << ";\n    root " << (dir_ / "www").string() << ";\n    location / { }\n  }\n}\n";
    nginx_pid_ = ::fork();
    if (nginx_pid_ == 0) {
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      const std::string prefix = dir_.string() + "/";
      const std::string log = (dir_ / "logs" / "error.log").string();
      const std::string conf = (dir_ / "nginx.conf").string();
      ::execl(kNginx, kNginx, "-p", prefix.c_str(), "-e", log.c_str(), "-c", conf.c_str(), "-g",
              "daemon off;", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100; ++i) {
      if (CanConnect(nginx_port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "nginx did not start: " << ReadFile(dir_ / "logs" / "error.log");
    return false;
  }

  std::string Url(int port) const {
    return "http://127.0.0.1:" + std::to_string(port) + "/index.html";
  }

  // A per-second trace: `per_second` requests in each of `seconds` seconds.
  std::string Trace(int per_second, int seconds) const {
    const fs::path path = dir_ / "trace.csv";
    std::ofstream out(path);
    out << "unix_time,requests\n";
    for (int s = 0; s < seconds; ++s) out << 1'000'000'000 + s << "," << per_second << "\n";
    return path.string();
  }

  fs::path dir_;
  pid_t nginx_pid_ = -1;
  int nginx_port_ = 0;
};

#define SKIP_WITHOUT_NGINX() \
  if (!fs::exists(kNginx)) GTEST_SKIP() << kNginx << " is not installed"

TEST_F(ReplayNginxTest, ReplaysATraceWithoutErrorsAndSmallLag) {
  SKIP_WITHOUT_NGINX();
  ASSERT_TRUE(StartNginx());
  const CommandResult run = Ebb(dir_, {"replay", Trace(100, 2), "--target", Url(nginx_port_),
                                       "--arrivals", "exact", "--connections", "8", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["scheduled"], 200);
  EXPECT_EQ(j["sent"], 200);
  EXPECT_EQ(j["completed"], 200);
  EXPECT_EQ(j["errors"]["total"], 0);
  EXPECT_EQ(j["status_codes"]["2xx"], 200);
  EXPECT_EQ(j["sla_ok_ratio"], 1.0);
  // Sent on time: the typical request within a few ms of its schedule. The tail only has to
  // show no drift, since CI shares two CPUs between parallel tests (and ASan runs this too).
  EXPECT_LT(j["schedule_lag_ms"]["p50"].get<double>(), 5);
  EXPECT_LT(j["schedule_lag_ms"]["p99"].get<double>(), 100);
  EXPECT_GT(j["elapsed_s"].get<double>(), 1.9);
  EXPECT_LT(j["elapsed_s"].get<double>(), 5);
  EXPECT_LE(j["connections_opened"].get<int>(), 8);
}

TEST_F(ReplayNginxTest, JsonHasEveryField) {
  SKIP_WITHOUT_NGINX();
  ASSERT_TRUE(StartNginx());
  const CommandResult run =
      Ebb(dir_, {"replay", Trace(50, 1), "--target", Url(nginx_port_), "--speedup", "2", "--scale",
                 "2", "--sla-ms", "1000", "--timeout-ms", "2000", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto j = nlohmann::json::parse(run.out);
  for (const char* key :
       {"sent", "completed", "errors", "sla_ok_ratio", "first_byte_ms", "response_ms",
        "schedule_lag_ms", "achieved_rps", "unfinished", "scheduled", "elapsed_s", "sla_ms"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  for (const char* key : {"connect", "timeout", "reset", "status"}) {
    EXPECT_TRUE(j["errors"].contains(key)) << key;
  }
  for (const char* key : {"p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(j["first_byte_ms"].contains(key)) << key;
    EXPECT_TRUE(j["response_ms"].contains(key)) << key;
  }
  for (const char* key : {"p50", "p99", "max"}) EXPECT_TRUE(j["schedule_lag_ms"].contains(key));
  EXPECT_EQ(j["sla_ms"], 1000.0);
  EXPECT_LT(j["elapsed_s"].get<double>(), 1.5);  // 1 s of trace at speedup 2
  EXPECT_GT(j["completed"].get<int>(), 50);      // about 100 with scale 2 (Poisson)
}

TEST_F(ReplayNginxTest, MaxRateAndTheTable) {
  SKIP_WITHOUT_NGINX();
  ASSERT_TRUE(StartNginx());
  const CommandResult run = Ebb(dir_, {"replay", "--target", Url(nginx_port_), "--max-rate",
                                       "--connections", "4", "--duration", "0.5"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("max-rate"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("connect 0  timeout 0  reset 0  status 0"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("requests/s"), std::string::npos);
  EXPECT_TRUE(run.err.empty()) << run.err;  // no progress line when stderr is not a terminal
}

TEST_F(ReplayNginxTest, SigintStopsAndStillReports) {
  SKIP_WITHOUT_NGINX();
  ASSERT_TRUE(StartNginx());
  const auto begin = std::chrono::steady_clock::now();
  const CommandResult run =
      Ebb(dir_, {"replay", Trace(100, 30), "--target", Url(nginx_port_), "--json"},
          std::chrono::milliseconds(700));
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(10));
  EXPECT_EQ(run.exit_code, 130) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_TRUE(j["interrupted"].get<bool>());
  EXPECT_GT(j["completed"].get<int>(), 10);
  EXPECT_LT(j["scheduled"].get<int>(), 3000);
}

TEST_F(ReplayNginxTest, ClosedPortCountsConnectErrors) {
  int port;
  {
    Listener closed;
    port = closed.port();
  }
  const CommandResult run =
      Ebb(dir_, {"replay", Trace(20, 1), "--target", Url(port), "--arrivals", "exact", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["errors"]["connect"], 20);
  EXPECT_EQ(j["completed"], 0);
  EXPECT_EQ(j["sla_ok_ratio"], 0.0);
}

TEST_F(ReplayNginxTest, SilentListenerCountsTimeouts) {
  Listener silent;
  const CommandResult run = Ebb(dir_, {"replay", Trace(5, 1), "--target", Url(silent.port()),
                                       "--arrivals", "exact", "--timeout-ms", "300", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["errors"]["timeout"], 5);
  EXPECT_EQ(j["sent"], 5);
  EXPECT_EQ(j["completed"], 0);
}

TEST_F(ReplayNginxTest, BadInputIsANonZeroExitWithAMessage) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::string trace = Trace(1, 1);
  const Case cases[] = {
      {{"replay", trace, "--target", "https://127.0.0.1:1/"}, "\"https\" is not supported"},
      {{"replay", trace, "--target", "127.0.0.1:8080"}, "no scheme"},
      {{"replay", trace, "--target", "http://127.0.0.1:99999/"}, "port"},
      {{"replay", trace, "--target", "http://u@127.0.0.1/"}, "user information"},
      {{"replay", trace, "--target", "http://127.0.0.1:1/", "--arrivals", "bursty"},
       "unknown arrival mode"},
      {{"replay", (dir_ / "missing.csv").string(), "--target", "http://127.0.0.1:1/"},
       "missing.csv"},
      {{"replay", "--target", "http://127.0.0.1:1/"}, "give a TRACE"},
      {{"replay", trace, "--target", "http://127.0.0.1:1/", "--connections", "0"}, "--connections"},
      {{"replay", trace, "--target", "http://127.0.0.1:1/", "--duration", "-1"}, "--duration"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.args[c.args.size() - 1]);
    const CommandResult run = Ebb(dir_, c.args);
    EXPECT_NE(run.exit_code, 0);
    EXPECT_NE(run.err.find(c.message), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
}

}  // namespace
