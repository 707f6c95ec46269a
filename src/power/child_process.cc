#include "power/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <thread>

#include "core/steady_clock.h"

extern char** environ;

namespace ebb::power {
namespace {

// An unlinked file for the child's stderr: disk-backed (a chatty command cannot fill memory),
// gone when the last descriptor closes, nothing to clean up after a crash.
int OpenAnonymousFile() {
  std::error_code ec;
  const std::filesystem::path tmp = std::filesystem::temp_directory_path(ec);
  const std::string dir = ec ? std::string("/tmp") : tmp.string();
  int fd = open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = memfd_create("ebb-stderr", MFD_CLOEXEC);
  return fd;
}

// posix_spawn's attribute and file-action objects, destroyed on every path.
class SpawnSetup {
 public:
  SpawnSetup() {
    posix_spawnattr_init(&attr_);
    posix_spawn_file_actions_init(&actions_);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions_);
    posix_spawnattr_destroy(&attr_);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
  posix_spawnattr_t* attr() { return &attr_; }
  posix_spawn_file_actions_t* actions() { return &actions_; }

 private:
  posix_spawnattr_t attr_;
  posix_spawn_file_actions_t actions_;
};

ExitStatus Decode(int wait_status) {
  if (WIFEXITED(wait_status))
    return {.kind = ExitStatus::Kind::kExited, .value = WEXITSTATUS(wait_status)};
  if (WIFSIGNALED(wait_status)) {
    return {.kind = ExitStatus::Kind::kSignaled, .value = WTERMSIG(wait_status)};
  }
  return {.kind = ExitStatus::Kind::kLost, .value = 0};
}

}  // namespace

std::string TailLines(std::string_view text, std::size_t max_chars) {
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (!line.empty()) lines.push_back(line);
  }
  std::string tail;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    const std::size_t extra = it->size() + (tail.empty() ? 0 : 3);
    if (tail.size() + extra > max_chars) {
      if (tail.empty()) {
        const std::size_t keep = max_chars > 3 ? max_chars - 3 : max_chars;
        tail = "..." + std::string(it->substr(it->size() - keep));
      }
      break;
    }
    tail = tail.empty() ? std::string(*it) : std::string(*it) + " | " + tail;
  }
  return tail;
}

std::string SignalName(int signal) {
  switch (signal) {
    case SIGTERM:
      return "SIGTERM";
    case SIGKILL:
      return "SIGKILL";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    case SIGSEGV:
      return "SIGSEGV";
    case SIGABRT:
      return "SIGABRT";
    case SIGPIPE:
      return "SIGPIPE";
    default:
      return fmt::format("signal {}", signal);
  }
}

std::string ExitStatus::ToString() const {
  switch (kind) {
    case Kind::kExited:
      return fmt::format("exit code {}", value);
    case Kind::kSignaled:
      return "killed by " + SignalName(value);
    case Kind::kLost:
      return "exit status lost (reaped elsewhere)";
  }
  return "unknown exit";
}

core::Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(ChildOptions options,
                                                                const core::Clock& clock) {
  EBB_CHECK(!options.argv.empty());
  std::unique_ptr<ChildProcess> child(new ChildProcess(std::move(options), clock));
  const ChildOptions& o = child->options_;

  SpawnSetup setup;
  const std::string& output = o.output_path.empty() ? std::string("/dev/null") : o.output_path;
  posix_spawn_file_actions_addopen(setup.actions(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(setup.actions(), STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (o.capture_stderr == StderrCapture::kYes) {
    child->stderr_fd_ = OpenAnonymousFile();
    if (child->stderr_fd_ < 0) {
      return core::UnavailableError(fmt::format(
          "cannot run {}: no temporary file for its stderr: {}", o.argv[0], std::strerror(errno)));
    }
    posix_spawn_file_actions_adddup2(setup.actions(), child->stderr_fd_, STDERR_FILENO);
  } else {
    posix_spawn_file_actions_adddup2(setup.actions(), STDOUT_FILENO, STDERR_FILENO);
  }
  // The daemon's sockets, pid files and logs are none of the command's business.
  posix_spawn_file_actions_addclosefrom_np(setup.actions(), STDERR_FILENO + 1);

  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (o.grouping == ProcessGrouping::kNewSession) {
    flags |= POSIX_SPAWN_SETSID;
  } else {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(setup.attr(), 0);
  }
  posix_spawnattr_setflags(setup.attr(), flags);
  sigset_t mask;
  sigemptyset(&mask);
  posix_spawnattr_setsigmask(setup.attr(), &mask);
  // A daemon that ignores SIGPIPE or SIGTERM must not hand that on to what it runs.
  sigset_t defaults;
  sigfillset(&defaults);
  posix_spawnattr_setsigdefault(setup.attr(), &defaults);

  std::vector<char*> argv;
  argv.reserve(o.argv.size() + 1);
  for (const std::string& arg : o.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  // glibc's posix_spawnp reports exec failures (ENOENT, EACCES) as its result and reaps the
  // failed child itself.
  const int error =
      posix_spawnp(&pid, argv[0], setup.actions(), setup.attr(), argv.data(), environ);
  if (error != 0) {
    std::string where = o.output_path.empty() ? "" : fmt::format(" (output to {})", o.output_path);
    return core::UnavailableError(
        fmt::format("cannot run {}{}: {}", o.argv[0], where, std::strerror(error)));
  }
  child->pid_ = pid;
  child->started_at_ = clock.Now();
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_ && options_.on_destroy == OnDestroy::kKill) {
    SignalGroup(SIGKILL);
    // SIGKILL is prompt unless the child is stuck in the kernel; do not hang on that.
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      const pid_t r = waitpid(pid_, &status, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void ChildProcess::SignalGroup(int signal) const {
  // Until it is reaped the child's pid (its group's id) cannot be reused, so this reaches only
  // what the child started.
  if (kill(-pid_, signal) != 0) kill(pid_, signal);
}

std::optional<ExitStatus> ChildProcess::Poll() {
  if (exit_) return exit_;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r < 0 && errno == EINTR) r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_ = Decode(status);
    return exit_;
  }
  if (r < 0 && errno == ECHILD) {
    exit_ = ExitStatus{.kind = ExitStatus::Kind::kLost, .value = 0};
    return exit_;
  }
  const core::Seconds now = clock_.Now();
  if (!timed_out_ && options_.timeout_s > 0 && now >= started_at_ + options_.timeout_s) {
    timed_out_ = true;
    SignalGroup(SIGTERM);
    kill_at_ = now + options_.kill_grace_s;
  } else if (kill_at_ && now >= *kill_at_) {
    SignalGroup(SIGKILL);
    kill_at_.reset();
  }
  return std::nullopt;
}

void ChildProcess::Terminate(core::Seconds grace_s) {
  if (exit_) return;
  SignalGroup(SIGTERM);
  const core::Seconds kill_at = clock_.Now() + grace_s;
  if (!kill_at_ || kill_at < *kill_at_) kill_at_ = kill_at;
}

std::string ChildProcess::StderrTail(std::size_t max_chars) const {
  if (stderr_fd_ < 0 || max_chars == 0) return {};
  struct stat st {};
  if (fstat(stderr_fd_, &st) != 0 || st.st_size <= 0) return {};
  const off_t want = std::min<off_t>(st.st_size, static_cast<off_t>(max_chars) * 4 + 256);
  std::string bytes(static_cast<std::size_t>(want), '\0');
  const ssize_t got = pread(stderr_fd_, bytes.data(), bytes.size(), st.st_size - want);
  if (got <= 0) return {};
  bytes.resize(static_cast<std::size_t>(got));

  return TailLines(bytes, max_chars);
}

core::Result<SyncRunResult> RunToCompletion(ChildOptions options) {
  EBB_CHECK(options.timeout_s > 0);
  const core::SteadyClock clock;
  const core::Seconds give_up_at = clock.Now() + options.timeout_s + options.kill_grace_s + 5;
  core::Result<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(options, clock);
  if (!child.ok()) return child.status();
  while (true) {
    if (std::optional<ExitStatus> exit = (*child)->Poll()) {
      return SyncRunResult{.exit = *exit,
                           .timed_out = (*child)->timed_out(),
                           .stderr_tail = (*child)->StderrTail(200)};
    }
    if (clock.Now() >= give_up_at) {
      return core::Status(core::StatusCode::kDeadlineExceeded,
                          fmt::format("{} did not exit after SIGKILL", options.argv[0]));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace ebb::power
