// RunTop end to end: --once against a real HTTP server on loopback (cpp-httplib, serving the
// contract's sample document), against a closed port and wrong answers; and the live mode in a
// real terminal (tmux) driven by keys, a resize, SIGTERM and a daemon that goes away.
#include "tools/top/top.h"

#include <fcntl.h>
#include <stdlib.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "testing/command.h"
#include "tools/top/sample_status.h"

namespace ebb::top {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kTimeout{30};

// A stand-in daemon: serves `body` with `status` at `path` on 127.0.0.1, on its own thread.
class StatusServer {
 public:
  explicit StatusServer(std::string path = "/status") {
    server_.Get(path, [this](const httplib::Request&, httplib::Response& response) {
      const std::lock_guard lock(mutex_);
      response.status = status_;
      response.set_content(body_, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    EBB_CHECK(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the loop runs would be lost, and the thread would never end.
    const auto deadline = Clock::now() + kTimeout;
    while (!server_.is_running() && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EBB_CHECK(server_.is_running());
  }
  ~StatusServer() { Stop(); }

  void Serve(int status, std::string body) {
    const std::lock_guard lock(mutex_);
    status_ = status;
    body_ = std::move(body);
  }
  void Stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  int status_ = 200;
  std::string body_ = std::string(samples::kSampleStatus);
};

// A port nothing listens on: bound to find it, then closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EBB_CHECK(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EBB_CHECK(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  socklen_t length = sizeof(address);
  EBB_CHECK(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

struct Outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadAll(std::FILE* file) {
  std::string text;
  std::rewind(file);
  char chunk[4096];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), file)) > 0) text.append(chunk, n);
  std::fclose(file);
  return text;
}

Outcome RunCaptured(TopOptions options) {
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  EBB_CHECK(out != nullptr && err != nullptr);
  options.out = out;
  options.err = err;
  Outcome outcome;
  outcome.exit_code = RunTop(options);
  outcome.out = ReadAll(out);
  outcome.err = ReadAll(err);
  return outcome;
}

TEST(TopOnceTest, PrintsOnePlainScreenFromTheDaemon) {
  StatusServer daemon;
  const Outcome outcome = RunCaptured({.url = daemon.url(), .once = true});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_EQ(outcome.out.rfind("ebb top  " + daemon.url(), 0), 0u) << outcome.out;
  for (const char* name : {"web1", "web2", "web3", "web4", "web10"}) {
    EXPECT_NE(outcome.out.find(std::string("\n") + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(outcome.out.find("forecast 52 rps needs 4 nodes of 16 rps"), std::string::npos);
  EXPECT_EQ(outcome.out.find('\x1b'), std::string::npos);
  // Not a terminal: 120 columns.
  for (std::size_t start = 0; start < outcome.out.size();) {
    const std::size_t end = outcome.out.find('\n', start);
    EXPECT_LE(end - start, 120u);
    start = end + 1;
  }
}

TEST(TopOnceTest, FollowsAPathPrefixAndAWidth) {
  StatusServer daemon("/ebb/status");
  const Outcome outcome = RunCaptured({.url = daemon.url() + "/ebb/", .once = true, .columns = 40});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("\nweb1 "), std::string::npos) << outcome.out;
  for (std::size_t start = 0; start < outcome.out.size();) {
    const std::size_t end = outcome.out.find('\n', start);
    EXPECT_LE(end - start, 40u);
    start = end + 1;
  }
}

TEST(TopOnceTest, ClosedPortFailsWithTheReason) {
  const int port = ClosedPort();
  const Outcome outcome =
      RunCaptured({.url = fmt::format("http://127.0.0.1:{}", port), .once = true});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err,
            fmt::format("ebb top: cannot reach ebb at http://127.0.0.1:{}/status: Connection "
                        "refused\n",
                        port));
}

TEST(TopOnceTest, WrongAnswersAreErrorsThatSayWhat) {
  StatusServer daemon;
  daemon.Serve(404, "no such thing");
  Outcome outcome = RunCaptured({.url = daemon.url(), .once = true});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.err,
            fmt::format("ebb top: ebb at {}/status answered HTTP 404\n", daemon.url()));

  daemon.Serve(200, "{\"version\": ");
  outcome = RunCaptured({.url = daemon.url(), .once = true});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(
      outcome.err,
      fmt::format("ebb top: ebb at {}/status: the answer is not JSON (12 bytes)\n", daemon.url()));

  // JSON, but not the document: shown, with the problem named.
  daemon.Serve(200, "[]");
  outcome = RunCaptured({.url = daemon.url(), .once = true});
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("document: the document is an array, expected an object"),
            std::string::npos)
      << outcome.out;
}

TEST(TopOnceTest, BadArgumentsExitTwo) {
  Outcome outcome = RunCaptured({.url = "https://127.0.0.1:9180", .once = true});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("ebb top: bad daemon URL \"https://127.0.0.1:9180\": scheme "
                             "\"https\" is not supported, only http"),
            std::string::npos)
      << outcome.err;

  outcome = RunCaptured({.url = "http://127.0.0.1:9180", .interval_s = 0, .once = true});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("--interval 0 is outside"), std::string::npos) << outcome.err;

  // Live mode needs a terminal; a file is not one.
  outcome = RunCaptured({.url = "http://127.0.0.1:9180"});
  EXPECT_EQ(outcome.exit_code, 2);
  EXPECT_NE(outcome.err.find("is not a terminal (use --once)"), std::string::npos) << outcome.err;
}

// ---- the live mode in a real terminal ----

std::string Quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A private tmux server (its own socket in the test's folder) with one 120x40 session that runs
// top_probe between two markers; killed in every case by the destructor.
class TmuxTop {
 public:
  TmuxTop(const std::string& url, double interval_s)
      : dir_("top_tmux"), socket_((dir_ / "tmux.sock").string()) {
    const std::filesystem::path script = dir_ / "run.sh";
    std::ofstream(script) << "printf 'before top\\n'\n"
                          << "sh -c 'echo $$ > " << (dir_ / "pid").string() << "; exec "
                          << EBB_TOP_PROBE << " " << url << " " << interval_s << "'\n"
                          << "echo \"top exited $?\"\n"
                          << "stty -a | tr ' ;' '\\n\\n' | grep -E '^-?(icanon|echo|isig)$' | "
                             "tr '\\n' ' '; echo\n"
                          << "echo after-top\n"
                          << "exec sleep 600\n";
    started_ =
        Tmux("new-session -d -x 120 -y 40 -s top " + Quote("sh " + script.string())).exit_code == 0;
  }
  bool started() const { return started_; }
  ~TmuxTop() { (void)Tmux("kill-server"); }

  ebb::testing::CommandResult Tmux(const std::string& arguments) const {
    return ebb::testing::RunShell("tmux -f /dev/null -S " + Quote(socket_) + " " + arguments);
  }
  std::string Pane() const { return Tmux("capture-pane -p -t top").out; }
  std::string Flags() const {
    return Tmux("display-message -p -t top '#{alternate_on} #{cursor_flag}'").out;
  }
  pid_t ProbePid() const {
    return static_cast<pid_t>(std::atoi(ebb::testing::ReadFile(dir_ / "pid").c_str()));
  }

  // Polls the pane until `ready` holds; the last capture either way.
  std::string WaitFor(const std::function<bool(const std::string&)>& ready) const {
    const auto deadline = Clock::now() + kTimeout;
    std::string pane = Pane();
    while (!ready(pane) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      pane = Pane();
    }
    return pane;
  }

 private:
  ebb::testing::TestDir dir_;
  std::string socket_;
  bool started_ = false;
};

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

bool TmuxMissing() { return ebb::testing::RunShell("command -v tmux").exit_code != 0; }

// A terminal for tmux needs a pseudo-terminal whose other side can be opened (a chroot without
// /dev/pts has the master but not the slave).
bool NoPseudoTerminal() {
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return true;
  bool missing = ::grantpt(master) != 0 || ::unlockpt(master) != 0;
  if (!missing) {
    const char* name = ::ptsname(master);
    const int slave = name == nullptr ? -1 : ::open(name, O_RDWR | O_NOCTTY);
    missing = slave < 0;
    if (slave >= 0) ::close(slave);
  }
  ::close(master);
  return missing;
}

void ExpectRestored(const TmuxTop& tmux) {
  const std::string pane = tmux.WaitFor([](const std::string& p) { return Has(p, "after-top"); });
  EXPECT_TRUE(Has(pane, "top exited 0")) << pane;
  // The main screen is back (what was there before) and the input settings with it.
  EXPECT_TRUE(Has(pane, "before top")) << pane;
  EXPECT_FALSE(Has(pane, "LAST DECISIONS")) << pane;
  EXPECT_TRUE(Has(pane, "isig icanon echo")) << pane;
  EXPECT_EQ(tmux.Flags(), "0 1\n") << "alternate screen off, cursor visible";
}

TEST(TopLiveTest, DrawsRedrawsOnResizeAndQuitsOnQ) {
  if (TmuxMissing()) GTEST_SKIP() << "tmux is not installed";
  if (NoPseudoTerminal()) GTEST_SKIP() << "no pseudo-terminal can be opened (/dev/pts)";
  StatusServer daemon;
  // A long interval: a redraw after the resize can only come from SIGWINCH.
  TmuxTop tmux(daemon.url(), 60);
  ASSERT_TRUE(tmux.started());
  std::string pane =
      tmux.WaitFor([](const std::string& p) { return Has(p, "oldest decision kept"); });
  ASSERT_TRUE(Has(pane, "oldest decision kept")) << pane;
  EXPECT_EQ(pane.rfind("ebb top  " + daemon.url(), 0), 0u) << pane;
  for (const char* name : {"web1", "web2", "web3", "web4", "web10"}) {
    EXPECT_TRUE(Has(pane, std::string("\n") + name + " ")) << name << "\n" << pane;
  }
  EXPECT_TRUE(Has(pane, "forecast 52 rps needs 4 nodes of 16 rps")) << pane;
  EXPECT_EQ(tmux.Flags(), "1 0\n") << "alternate screen on, cursor hidden";
  EXPECT_FALSE(Has(pane, "before top")) << pane;

  ASSERT_EQ(tmux.Tmux("resize-window -t top -x 70 -y 11").exit_code, 0);
  pane =
      tmux.WaitFor([](const std::string& p) { return Has(p, "... 2 more (1 DRAINING, 1 DOWN)"); });
  EXPECT_TRUE(Has(pane, "... 2 more (1 DRAINING, 1 DOWN)")) << pane;

  ASSERT_EQ(tmux.Tmux("send-keys -t top q").exit_code, 0);
  ExpectRestored(tmux);
}

TEST(TopLiveTest, KeepsTheLastScreenWhenTheDaemonGoesAwayAndStopsOnSigterm) {
  if (TmuxMissing()) GTEST_SKIP() << "tmux is not installed";
  if (NoPseudoTerminal()) GTEST_SKIP() << "no pseudo-terminal can be opened (/dev/pts)";
  StatusServer daemon;
  TmuxTop tmux(daemon.url(), 0.2);
  ASSERT_TRUE(tmux.started());
  std::string pane = tmux.WaitFor([](const std::string& p) { return Has(p, "\nweb10 "); });
  ASSERT_TRUE(Has(pane, "\nweb10 ")) << pane;

  daemon.Stop();
  const std::string error =
      fmt::format("! cannot reach ebb at {}/status: Connection refused", daemon.url());
  pane = tmux.WaitFor([&](const std::string& p) { return Has(p, error); });
  EXPECT_TRUE(Has(pane, error)) << pane;
  EXPECT_TRUE(Has(pane, "\nweb10 ")) << "the last screen stays\n" << pane;

  const pid_t pid = tmux.ProbePid();
  ASSERT_GT(pid, 0);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  ExpectRestored(tmux);
}

TEST(TopLiveTest, CtrlCQuits) {
  if (TmuxMissing()) GTEST_SKIP() << "tmux is not installed";
  if (NoPseudoTerminal()) GTEST_SKIP() << "no pseudo-terminal can be opened (/dev/pts)";
  StatusServer daemon;
  TmuxTop tmux(daemon.url(), 0.2);
  ASSERT_TRUE(tmux.started());
  const std::string pane = tmux.WaitFor([](const std::string& p) { return Has(p, "\nweb1 "); });
  ASSERT_TRUE(Has(pane, "\nweb1 ")) << pane;
  ASSERT_EQ(tmux.Tmux("send-keys -t top C-c").exit_code, 0);
  ExpectRestored(tmux);
}

}  // namespace
}  // namespace ebb::top
