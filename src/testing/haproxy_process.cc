#include "testing/haproxy_process.h"

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

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "testing/command.h"

namespace ebb::testing {
namespace {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::atomic<int> instances{0};

}  // namespace

std::string HaproxyProcess::FindBinary() {
  for (const char* candidate : {"/usr/sbin/haproxy", "/usr/local/sbin/haproxy", "/usr/bin/haproxy",
                                "/usr/local/bin/haproxy"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return "";
}

std::uint16_t HaproxyProcess::FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  std::uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

core::Result<std::unique_ptr<HaproxyProcess>> HaproxyProcess::Start(HaproxyProcessOptions options) {
  std::unique_ptr<HaproxyProcess> process(new HaproxyProcess(std::move(options)));
  process->binary_ = FindBinary();
  if (process->binary_.empty()) return core::NotFoundError("haproxy is not installed");
  process->dir_ = fs::temp_directory_path() / ("ebb_haproxy_" + std::to_string(::getpid()) + "_" +
                                               std::to_string(instances.fetch_add(1)));
  std::error_code error;
  fs::remove_all(process->dir_, error);
  fs::create_directories(process->dir_, error);
  if (error) return core::UnavailableError("cannot create " + process->dir_.string());
  process->frontend_port_ = FreeLoopbackPort();
  process->node_port_ = FreeLoopbackPort();
  if (process->frontend_port_ == 0 || process->node_port_ == 0) {
    return core::UnavailableError("no free loopback port");
  }

  const HaproxyProcessOptions& o = process->options_;
  std::ofstream config(process->config_file());
  config << "global\n"
         << "  stats socket " << process->admin_socket() << " level admin\n"
         << "  stats socket " << process->user_socket() << " level user\n"
         << "  nbthread 1\n"
         << "  maxconn 4096\n"
         << "defaults\n"
         << "  mode http\n"
         << "  timeout connect 2s\n"
         << "  timeout client 10s\n"
         << "  timeout server 10s\n"
         << "  timeout queue 5s\n"
         << "  timeout check 2s\n"
         // A request sent to a server before its checks found it down goes to another one.
         << "  retries 2\n"
         << "  option redispatch 1\n"
         << "frontend fe\n"
         << "  bind 127.0.0.1:" << process->frontend_port_ << "\n"
         << "  default_backend " << o.backend << "\n"
         << "frontend node\n"
         << "  bind 127.0.0.1:" << process->node_port_ << "\n"
         << "  http-request return status 200 content-type text/plain string ok\n"
         << "backend " << o.backend << "\n"
         << "  balance roundrobin\n"
         << "  option httpchk GET /health\n"
         << "  http-check expect status 200\n"
         << "  default-server inter 200ms fall 2 rise 1\n";
  for (const HaproxyServerSpec& server : o.servers) {
    config << "  server " << server.name
           << " 127.0.0.1:" << (server.port == 0 ? process->node_port_ : server.port)
           << (server.check ? " check" : "")
           << (server.initial == lb::AdminState::kMaint ? " disabled" : "") << "\n";
  }
  config.close();
  if (!config) return core::UnavailableError("cannot write " + process->config_file().string());

  EBB_RETURN_IF_ERROR(process->Launch());
  for (const HaproxyServerSpec& server : o.servers) {
    if (server.initial != lb::AdminState::kDrain) continue;
    EBB_ASSIGN_OR_RETURN(const std::string reply, process->Command("set server " + o.backend + "/" +
                                                                   server.name + " state drain"));
    if (reply.find_first_not_of("\r\n") != std::string::npos) {
      return core::InternalError("drain " + server.name + " at start: " + reply);
    }
  }
  return process;
}

core::Status HaproxyProcess::Launch() {
  const std::string log = (dir_ / "haproxy.log").string();
  const std::string config = config_file().string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) return core::UnavailableError(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int null = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(null, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execl(binary_.c_str(), binary_.c_str(), "-f", config.c_str(), "-db",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  pid_ = pid;
  const SteadyClock::time_point deadline = SteadyClock::now() + options_.start_timeout;
  while (SteadyClock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return core::UnavailableError("haproxy exited at start: " + Log());
    }
    const core::Result<std::string> info = Command("show info");
    if (info.ok() && info->starts_with("Name: HAProxy")) return core::Status::Ok();
    std::this_thread::sleep_for(milliseconds(20));
  }
  Stop();
  return core::UnavailableError("haproxy's admin socket did not answer in time: " + Log());
}

void HaproxyProcess::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const SteadyClock::time_point deadline = SteadyClock::now() + milliseconds(5000);
  while (SteadyClock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

core::Status HaproxyProcess::Restart() {
  Stop();
  std::error_code ignored;
  fs::remove(admin_socket(), ignored);
  fs::remove(user_socket(), ignored);
  return Launch();
}

HaproxyProcess::~HaproxyProcess() {
  Stop();
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

core::Status HaproxyProcess::HideAdminSocket() {
  std::error_code error;
  fs::rename(admin_socket(), admin_socket() + ".hidden", error);
  if (error) return core::UnavailableError("hide admin socket: " + error.message());
  return core::Status::Ok();
}

core::Status HaproxyProcess::RestoreAdminSocket() {
  std::error_code error;
  fs::rename(admin_socket() + ".hidden", admin_socket(), error);
  if (error) return core::UnavailableError("restore admin socket: " + error.message());
  return core::Status::Ok();
}

core::Result<std::string> HaproxyProcess::Command(std::string_view command) const {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::UnavailableError("socket");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", admin_socket().c_str());
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return core::UnavailableError("connect " + admin_socket() + ": " + std::strerror(errno));
  }
  const std::string line = std::string(command) + "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    ::close(fd);
    return core::UnavailableError("send to " + admin_socket());
  }
  std::string reply;
  char chunk[16384];
  pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
  bool complete = false;
  while (::poll(&p, 1, 10000) > 0) {
    const ssize_t n = ::read(fd, chunk, sizeof(chunk));
    if (n == 0) complete = true;
    if (n <= 0) break;
    reply.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!complete) return core::UnavailableError("no complete reply from " + admin_socket());
  return reply;
}

std::string HaproxyProcess::Log() const { return ReadFile(dir_ / "haproxy.log"); }

}  // namespace ebb::testing
