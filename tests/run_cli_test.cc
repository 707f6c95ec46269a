// `ebb run` and `ebb haproxy-config` end to end: the real `ebb` binary against a real haproxy on
// loopback (src/testing/haproxy_process.h) and real `ebb testserver` nodes. Bad input stops the
// daemon at start-up with exit 2 and a message that names the culprit, before anything is
// created or switched; a dry run decides and logs, and switches nothing. Every process a test
// starts is stopped before it ends (and dies with the test process: PR_SET_PDEATHSIG); every
// wait is bounded.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "testing/command.h"
#include "testing/haproxy_process.h"
#include "tools/testserver/blocking_http_client.h"

namespace {

namespace fs = std::filesystem;
using ebb::testing::CommandResult;
using ebb::testing::HaproxyProcess;
using ebb::testing::HaproxyServerSpec;
using ebb::testing::ReadFile;
using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

// Polls `done` every 100 ms until it holds or `timeout` has passed.
bool WaitFor(const std::function<bool()>& done, milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return true;
}

// A child process with stdout and stderr appended to a file. The destructor stops it (SIGTERM,
// then SIGKILL after a bounded wait) if it still runs.
class Child {
 public:
  static std::unique_ptr<Child> Start(const std::vector<std::string>& argv, const fs::path& log) {
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) return nullptr;
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      const int null = ::open("/dev/null", O_RDONLY);
      const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(null, STDIN_FILENO);
      ::dup2(out, STDOUT_FILENO);
      ::dup2(out, STDERR_FILENO);
      std::vector<char*> args;
      for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    return std::unique_ptr<Child>(new Child(pid));
  }

  ~Child() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    if (!Wait(milliseconds(5000))) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    return true;
  }
  bool Signal(int signal) const { return pid_ > 0 && ::kill(pid_, signal) == 0; }
  // The exit code (128 + signal when killed), or nullopt if it still runs after `timeout`.
  std::optional<int> Wait(milliseconds timeout) {
    if (!WaitFor([this] { return !Running(); }, timeout)) return std::nullopt;
    return exit_code_;
  }

 private:
  explicit Child(pid_t pid) : pid_(pid) {}
  pid_t pid_;
  int exit_code_ = -1;
};

// A listening loopback socket: a port in use for as long as the object lives.
class HeldPort {
 public:
  HeldPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 4) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len)) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~HeldPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  HeldPort(const HeldPort&) = delete;
  HeldPort& operator=(const HeldPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

bool Listening(std::uint16_t port) {
  return ebb::testserver::BlockingHttpClient::Connect("127.0.0.1", port, milliseconds(500)).ok();
}

// GET http://127.0.0.1:port/target; nullopt on any failure.
std::optional<std::string> HttpGet(std::uint16_t port, const std::string& target) {
  auto client = ebb::testserver::BlockingHttpClient::Connect("127.0.0.1", port, milliseconds(2000));
  if (!client.ok()) return std::nullopt;
  auto response = client->Get(target, milliseconds(5000));
  if (!response.ok() || response->status != 200) return std::nullopt;
  return response->body;
}

struct ServerState {
  std::string op;     // srv_op_state: 2 is running (UP)
  std::string admin;  // srv_admin_state: 0 is ready, 0x08 drain (forced), 0x01 maint (forced)
  bool operator==(const ServerState&) const = default;
};

// Every server of `backend` by name, from `show servers state`.
std::map<std::string, ServerState> ServerStates(const HaproxyProcess& haproxy,
                                                const std::string& backend = "web") {
  std::map<std::string, ServerState> states;
  auto reply = haproxy.Command("show servers state " + backend);
  if (!reply.ok()) return states;
  std::istringstream lines(*reply);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string word; fields >> word;) f.push_back(word);
    // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state ...
    if (f.size() < 7 || f[1] != backend) continue;
    states[f[3]] = {.op = f[5], .admin = f[6]};
  }
  return states;
}

struct NodeLine {
  std::string name;
  std::uint16_t port = 0;
};

struct RunConfig {
  std::string socket;
  std::uint16_t http_port = 0;
  std::vector<NodeLine> nodes;
  std::string extra_top;  // at the very top of the file
  std::string power_on =
      "[\"" + std::string(EBB_BINARY) +
      "\", \"testserver\", \"--port\", \"{port}\", \"--service-time\", \"exponential:0.01\", "
      "\"--workers\", \"2\"]";
};

std::string ConfigText(const RunConfig& c) {
  std::string text = c.extra_top;
  text += R"([cluster]
boot_s = 3
shutdown_s = 1
capacity_rps = 20
[cluster.power]
off_w = 5
boot_w = 100
idle_w = 80
busy_w = 150

[policy]
name = "threshold"
interval_s = 1
min_nodes = 1
underload_cycles = 2
down_cooldown_s = 0
up_cooldown_s = 0

[haproxy]
backend = "web"
)";
  text += "socket = \"" + c.socket + "\"\n";
  text += "\n[power]\ndriver = \"process\"\non = " + c.power_on + "\n";
  text += "\n[state]\npath = \"ebb.db\"\n";
  text += "\n[http]\nlisten = \"127.0.0.1:" + std::to_string(c.http_port) + "\"\n";
  for (const NodeLine& n : c.nodes) {
    text += "\n[[node]]\nname = \"" + n.name + "\"\n";
    if (n.port != 0) text += "port = " + std::to_string(n.port) + "\n";
  }
  return text;
}

class RunCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (HaproxyProcess::FindBinary().empty()) GTEST_SKIP() << "haproxy is not installed";
  }

  // haproxy with servers web1..webN pointed at its own healthy `node` frontend.
  std::unique_ptr<HaproxyProcess> StartHaproxy(std::vector<HaproxyServerSpec> servers) {
    auto started = HaproxyProcess::Start({.servers = std::move(servers)});
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    return started.ok() ? std::move(started).value() : nullptr;
  }

  std::string WriteConfig(const std::string& text) {
    const fs::path path = dir_ / "ebb.toml";
    std::ofstream(path) << text;
    return path.string();
  }

  // `ebb run CONFIG ARGS`, killed if it runs longer than a minute: these runs must stop alone.
  CommandResult Run(const std::string& config, const std::string& args = "") {
    return ebb::testing::RunShell("cd " + dir_.path().string() + " && timeout -s KILL 60 " +
                                  std::string(EBB_BINARY) + " run " + config + " " + args +
                                  " </dev/null");
  }

  // Nothing was created beside the configuration: no state database, no run folder.
  void ExpectNothingCreated() {
    std::vector<std::string> files;
    for (const fs::directory_entry& e : fs::directory_iterator(dir_.path())) {
      files.push_back(e.path().filename().string());
    }
    EXPECT_THAT(files, ::testing::ElementsAre("ebb.toml"));
  }

  ebb::testing::TestDir dir_{"ebb_run_cli"};
};

TEST_F(RunCliTest, UnknownKeyStopsTheStartWithFileLineAndKey) {
  auto haproxy = StartHaproxy({{.name = "web1"}, {.name = "web2"}});
  ASSERT_TRUE(haproxy);
  const auto before = ServerStates(*haproxy);
  const std::uint16_t node_port = HaproxyProcess::FreeLoopbackPort();
  RunConfig c{.socket = haproxy->admin_socket(),
              .http_port = HaproxyProcess::FreeLoopbackPort(),
              .nodes = {{"web1", node_port}, {"web2", HaproxyProcess::FreeLoopbackPort()}},
              .extra_top = "# a typo\ncolour = \"blue\"\n"};
  const std::string config = WriteConfig(ConfigText(c));
  const CommandResult run = Run(config);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr(config + ":2: unknown key \"colour\""));
  ExpectNothingCreated();
  EXPECT_FALSE(Listening(node_port));
  EXPECT_FALSE(Listening(c.http_port));
  EXPECT_EQ(ServerStates(*haproxy), before);
}

TEST_F(RunCliTest, NodeMissingInTheBackendIsNamedAndNothingIsTouched) {
  auto haproxy =
      StartHaproxy({{.name = "web1"}, {.name = "web2", .initial = ebb::lb::AdminState::kDrain}});
  ASSERT_TRUE(haproxy);
  const auto before = ServerStates(*haproxy);
  ASSERT_EQ(before.size(), 2u);
  ASSERT_NE(before.at("web2").admin, "0");  // drained: a state that must stay as it is
  RunConfig c{.socket = haproxy->admin_socket(),
              .http_port = HaproxyProcess::FreeLoopbackPort(),
              .nodes = {{"web1", HaproxyProcess::FreeLoopbackPort()},
                        {"web2", HaproxyProcess::FreeLoopbackPort()},
                        {"web3", HaproxyProcess::FreeLoopbackPort()}}};
  const CommandResult run = Run(WriteConfig(ConfigText(c)));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr("node web3 is in the config but not in HAProxy backend web"));
  EXPECT_THAT(run.err, HasSubstr(haproxy->admin_socket()));
  EXPECT_THAT(run.err, Not(HasSubstr("node web1")));
  ExpectNothingCreated();
  EXPECT_FALSE(Listening(c.http_port));
  EXPECT_EQ(ServerStates(*haproxy), before);
}

TEST_F(RunCliTest, UnreachableSocketIsNamed) {
  const std::string absent = (dir_ / "absent.sock").string();
  const std::string closed = "127.0.0.1:" + std::to_string(HaproxyProcess::FreeLoopbackPort());
  for (const std::string& socket : {absent, closed}) {
    SCOPED_TRACE(socket);
    RunConfig c{.socket = socket,
                .http_port = HaproxyProcess::FreeLoopbackPort(),
                .nodes = {{"web1", HaproxyProcess::FreeLoopbackPort()}}};
    const CommandResult run = Run(WriteConfig(ConfigText(c)));
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_THAT(run.err, HasSubstr(socket));
    ExpectNothingCreated();
  }
}

TEST_F(RunCliTest, UnknownPlaceholderInATemplate) {
  auto haproxy = StartHaproxy({{.name = "web1"}});
  ASSERT_TRUE(haproxy);
  RunConfig c{.socket = haproxy->admin_socket(),
              .http_port = HaproxyProcess::FreeLoopbackPort(),
              .nodes = {{"web1", HaproxyProcess::FreeLoopbackPort()}},
              .power_on = "\"" + std::string(EBB_BINARY) + " testserver --port {prot}\""};
  const std::string config = WriteConfig(ConfigText(c));
  const CommandResult run = Run(config);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err, HasSubstr(config));
  EXPECT_THAT(run.err, HasSubstr("power.on: unknown placeholder {prot}"));
  ExpectNothingCreated();
}

TEST_F(RunCliTest, HttpPortInUse) {
  auto haproxy = StartHaproxy({{.name = "web1"}, {.name = "web2"}});
  ASSERT_TRUE(haproxy);
  const auto before = ServerStates(*haproxy);
  HeldPort held;
  ASSERT_NE(held.port(), 0);
  const std::uint16_t node_port = HaproxyProcess::FreeLoopbackPort();
  RunConfig c{.socket = haproxy->admin_socket(),
              .http_port = held.port(),
              .nodes = {{"web1", node_port}, {"web2", HaproxyProcess::FreeLoopbackPort()}}};
  const CommandResult run = Run(WriteConfig(ConfigText(c)));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_THAT(run.err,
              HasSubstr("http.listen: cannot listen on 127.0.0.1:" + std::to_string(held.port())));
  EXPECT_FALSE(Listening(node_port));
  EXPECT_EQ(ServerStates(*haproxy), before);
}

TEST_F(RunCliTest, HaproxyConfigPrintsABackendHaproxyAccepts) {
  const std::string config = WriteConfig(R"([cluster]
capacity_rps = 20
[balancer]
algorithm = "roundrobin"
[haproxy]
socket = "/run/haproxy/admin.sock"
backend = "app"
check_interval_ms = 500
maxconn = 8
health_check_path = "/ping"
[power]
driver = "command"
on = "ipmitool -H {bmc} power on"
off = "ssh {host} poweroff"
[[node]]
name = "web1"
host = "127.0.0.1"
port = 8081
bmc = "10.1.0.1"
[[node]]
name = "web2"
host = "127.0.0.2"
port = 8082
bmc = "10.1.0.2"
)");
  const CommandResult printed =
      ebb::testing::RunShell(std::string(EBB_BINARY) + " haproxy-config " + config);
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("backend app"));
  EXPECT_THAT(printed.out, HasSubstr("balance roundrobin"));
  EXPECT_THAT(printed.out, HasSubstr("GET /ping"));
  EXPECT_THAT(printed.out, HasSubstr("server web1 127.0.0.1:8081 check inter 500ms"));
  EXPECT_THAT(printed.out, HasSubstr("server web2 127.0.0.2:8082"));
  EXPECT_THAT(printed.out, HasSubstr("maxconn 8"));

  const fs::path cfg = dir_ / "haproxy.cfg";
  std::ofstream(cfg) << "global\n  maxconn 100\n"
                     << "defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n"
                     << "  timeout server 10s\n"
                     << "frontend fe\n  bind 127.0.0.1:" << HaproxyProcess::FreeLoopbackPort()
                     << "\n  default_backend app\n"
                     << printed.out;
  const CommandResult check =
      ebb::testing::RunShell(HaproxyProcess::FindBinary() + " -c -f " + cfg.string());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err << ReadFile(cfg);
}

TEST_F(RunCliTest, HaproxyConfigRefusesANodeWithoutAPort) {
  const std::string config = WriteConfig(R"([cluster]
capacity_rps = 20
[haproxy]
socket = "/run/haproxy/admin.sock"
[power]
driver = "command"
on = ["ipmitool", "-H", "{bmc}", "power", "on"]
off = ["ssh", "{host}", "poweroff"]
[[node]]
name = "web1"
port = 8081
bmc = "10.1.0.1"
[[node]]
name = "web2"
bmc = "10.1.0.2"
)");
  const CommandResult printed =
      ebb::testing::RunShell(std::string(EBB_BINARY) + " haproxy-config " + config);
  EXPECT_EQ(printed.exit_code, 2) << printed.out;
  EXPECT_THAT(printed.err, HasSubstr("web2"));
  EXPECT_THAT(printed.err, HasSubstr("port"));
  EXPECT_EQ(printed.out, "");
}

TEST_F(RunCliTest, DryRunDecidesAndLogsButSwitchesNothing) {
  // Three real nodes, all in rotation and UP, with no traffic at all.
  std::vector<std::unique_ptr<Child>> nodes;
  std::vector<HaproxyServerSpec> servers;
  std::vector<NodeLine> node_lines;
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "web" + std::to_string(i);
    const std::uint16_t port = HaproxyProcess::FreeLoopbackPort();
    nodes.push_back(Child::Start({EBB_BINARY, "testserver", "--port", std::to_string(port),
                                  "--service-time", "exponential:0.01", "--workers", "2"},
                                 dir_ / (name + ".log")));
    ASSERT_TRUE(nodes.back());
    servers.push_back({.name = name, .port = port});
    node_lines.push_back({name, port});
  }
  for (const NodeLine& n : node_lines) {
    ASSERT_TRUE(WaitFor([&] { return Listening(n.port); }, milliseconds(20000)))
        << n.name << ": " << ReadFile(dir_ / (n.name + ".log"));
  }
  auto haproxy = StartHaproxy(servers);
  ASSERT_TRUE(haproxy);
  auto all_up = [&] {
    const auto states = ServerStates(*haproxy);
    if (states.size() != 3) return false;
    for (const auto& [name, s] : states) {
      if (s.op != "2" || s.admin != "0") return false;
    }
    return true;
  };
  ASSERT_TRUE(WaitFor(all_up, milliseconds(20000))) << haproxy->Log();
  const auto before = ServerStates(*haproxy);

  const std::uint16_t http_port = HaproxyProcess::FreeLoopbackPort();
  const std::string config = WriteConfig(
      ConfigText({.socket = haproxy->admin_socket(), .http_port = http_port, .nodes = node_lines}));
  const fs::path log = dir_ / "run.log";
  auto ebb = Child::Start({EBB_BINARY, "run", config, "--dry-run"}, log);
  ASSERT_TRUE(ebb);

  // Underloaded for two cycles, the threshold policy drains nodes down to min_nodes = 1; in a
  // dry run each drained node is "powered off" by a logged line only.
  nlohmann::json status;
  auto decided = [&] {
    if (!ebb->Running()) return true;  // reported below
    if (ReadFile(log).find("dry run: would") == std::string::npos) return false;
    const std::optional<std::string> body = HttpGet(http_port, "/status");
    if (!body) return false;
    status = nlohmann::json::parse(*body, nullptr, /*allow_exceptions=*/false);
    return status.is_object() && status.contains("energy") &&
           status["energy"].value("saving_ratio", 0.0) > 0;
  };
  ASSERT_TRUE(WaitFor(decided, milliseconds(60000))) << ReadFile(log);
  ASSERT_TRUE(ebb->Running()) << ReadFile(log);

  const std::string text = ReadFile(log);
  EXPECT_THAT(text, HasSubstr("DRY RUN: nothing is switched"));
  EXPECT_THAT(text, HasSubstr("dry run: would"));
  EXPECT_THAT(text, HasSubstr("dry run: would power off web3: SIGTERM to the processes of web3"));
  EXPECT_THAT(text, Not(HasSubstr("would dry run")));
  EXPECT_THAT(text, HasSubstr("decision: 3 -> 1 serving [drain web3, drain web2]"));
  EXPECT_EQ(status["dry_run"], true);
  EXPECT_GT(status["energy"]["saving_ratio"].get<double>(), 0);
  EXPECT_LT(status["load"]["serving"].get<int>(), 3);  // as ebb would have left them
  EXPECT_GE(status["counters"]["drains"].get<int>(), 1);
  EXPECT_FALSE(status["decisions"].empty());

  // HAProxy was never told anything, and every node still runs.
  EXPECT_EQ(ServerStates(*haproxy), before);
  EXPECT_TRUE(all_up());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_TRUE(nodes[i]->Running()) << node_lines[i].name;
    EXPECT_TRUE(Listening(node_lines[i].port)) << node_lines[i].name;
  }

  // SIGTERM: a clean stop that still switches nothing.
  ASSERT_TRUE(ebb->Signal(SIGTERM));
  EXPECT_EQ(ebb->Wait(milliseconds(20000)), 0) << ReadFile(log);
  EXPECT_THAT(ReadFile(log), HasSubstr("stopped"));
  EXPECT_EQ(ServerStates(*haproxy), before);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_TRUE(nodes[i]->Running()) << node_lines[i].name;
  }
}

}  // namespace

// The operator example and the README's copy of it stay loadable and identical.
TEST(RunCliExampleTest, TheExampleConfigLoadsAndTheReadmeQuotesIt) {
  const std::string example = std::string(EBB_REPO_DIR) + "/examples/ebb-run.toml";
  const ebb::testing::CommandResult printed =
      ebb::testing::RunShell(std::string(EBB_BINARY) + " haproxy-config " + example);
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_THAT(printed.out, HasSubstr("backend "));
  const std::string readme = ebb::testing::ReadFile(std::string(EBB_REPO_DIR) + "/README.md");
  std::string body = ebb::testing::ReadFile(example);
  // The README shows the file from its first table on.
  body = body.substr(body.find("\n[") + 1);
  EXPECT_THAT(readme, HasSubstr(body.substr(0, body.size() - 1)));
}
