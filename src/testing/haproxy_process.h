// HaproxyProcess: a real `haproxy` for tests, on loopback. It writes a haproxy.cfg into a fresh
// folder under the temp directory, starts `haproxy -f haproxy.cfg -db` as a child process (it
// dies with the test process: PR_SET_PDEATHSIG), and waits, bounded, until the Runtime API
// answers. The configuration has:
//   - `stats socket <dir>/admin.sock level admin` and `stats socket <dir>/user.sock level user`;
//   - frontend `fe` on a free loopback port, forwarding to the backend;
//   - frontend `node` on another free port, answering 200 to every request: a server pointed at
//     it (port 0 in its spec) is a healthy node, and its health checks pass;
//   - the backend with the given servers (check on or off, fast checks: inter 200ms fall 2
//     rise 1), initially ready, in maint (`disabled`) or drained (set over the socket at start).
// A second instance for the same backend is a second object with the same options. Destruction
// stops haproxy (SIGTERM, bounded wait, SIGKILL) and removes the folder. Test-only code: errors
// are returned as Status for the test to ASSERT on.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lb/load_balancer.h"

namespace ebb::testing {

struct HaproxyServerSpec {
  std::string name;
  std::uint16_t port = 0;  // 0: the `node` frontend (a healthy server)
  bool check = true;
  lb::AdminState initial = lb::AdminState::kReady;
};

struct HaproxyProcessOptions {
  std::string backend = "web";
  std::vector<HaproxyServerSpec> servers;
  std::chrono::milliseconds start_timeout{15000};
};

class HaproxyProcess {
 public:
  // The haproxy binary, or "" when it is not installed (tests then GTEST_SKIP).
  static std::string FindBinary();
  // A loopback TCP port nothing listens on right now (bound to port 0, then closed).
  static std::uint16_t FreeLoopbackPort();

  static core::Result<std::unique_ptr<HaproxyProcess>> Start(HaproxyProcessOptions options);
  ~HaproxyProcess();
  HaproxyProcess(const HaproxyProcess&) = delete;
  HaproxyProcess& operator=(const HaproxyProcess&) = delete;

  // Stops haproxy and starts it again from the same file (same ports and sockets); counters and
  // runtime states start afresh, as after a real restart.
  core::Status Restart();
  // Stops haproxy (SIGTERM, then SIGKILL after 5 s).
  void Stop();
  bool running() const { return pid_ > 0; }

  // Renames admin.sock away (as if the socket had vanished), and back.
  core::Status HideAdminSocket();
  core::Status RestoreAdminSocket();

  // One command over the admin socket with a plain blocking client, for making changes by hand.
  core::Result<std::string> Command(std::string_view command) const;

  const std::filesystem::path& dir() const { return dir_; }
  std::string admin_socket() const { return (dir_ / "admin.sock").string(); }
  std::string user_socket() const { return (dir_ / "user.sock").string(); }
  std::filesystem::path config_file() const { return dir_ / "haproxy.cfg"; }
  std::uint16_t frontend_port() const { return frontend_port_; }
  std::uint16_t node_port() const { return node_port_; }
  // haproxy's stdout and stderr so far.
  std::string Log() const;

 private:
  explicit HaproxyProcess(HaproxyProcessOptions options) : options_(std::move(options)) {}
  core::Status Launch();

  HaproxyProcessOptions options_;
  std::string binary_;
  std::filesystem::path dir_;
  std::uint16_t frontend_port_ = 0;
  std::uint16_t node_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace ebb::testing
