// ChildProcess: one program run without a shell for a power driver. Spawned with posix_spawnp
// into its own process group (or its own session, for node processes that must outlive the
// daemon and ignore its terminal's Ctrl-C), stdin from /dev/null, stdout and stderr appended to a
// file or /dev/null, stderr optionally captured in an anonymous temporary file for error messages,
// signal mask and dispositions reset, no other descriptor inherited. Poll() reaps without
// blocking (waitpid WNOHANG) and enforces the timeout: SIGTERM to the group, SIGKILL after a grace
// period, both measured on the core::Clock given at spawn. Errors: Spawn() fails with Unavailable
// when the program cannot be run (not found, not executable, output file not writable); an exit
// code is a value, never an error. Owned by one driver on the event loop's thread.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace ebb::power {

struct ExitStatus {
  enum class Kind : std::uint8_t {
    kExited,    // `value` is the exit code
    kSignaled,  // `value` is the signal number
    kLost,      // reaped by someone else (SIGCHLD ignored): the outcome is unknown
  };
  Kind kind = Kind::kExited;
  int value = 0;

  bool Succeeded() const { return kind == Kind::kExited && value == 0; }
  // "exit code 3", "killed by SIGKILL"
  std::string ToString() const;
};

enum class ProcessGrouping : std::uint8_t {
  kNewProcessGroup,  // commands: a timeout kills what they started too
  kNewSession,       // node processes: survive the daemon and its terminal
};

enum class StderrCapture : std::uint8_t { kNo, kYes };

// What a child does when its ChildProcess is destroyed before it was reaped.
enum class OnDestroy : std::uint8_t {
  kKill,    // SIGKILL to the group and reap: a driver going away takes its commands with it
  kDetach,  // leave it running; init reaps it once the daemon is gone
};

struct ChildOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::string output_path;        // stdout (and stderr unless captured), appended; empty: /dev/null
  StderrCapture capture_stderr = StderrCapture::kNo;
  ProcessGrouping grouping = ProcessGrouping::kNewProcessGroup;
  core::Seconds timeout_s = 0;     // 0: no timeout
  core::Seconds kill_grace_s = 5;  // SIGTERM to SIGKILL, after a timeout
  OnDestroy on_destroy = OnDestroy::kKill;
};

class ChildProcess {
 public:
  static core::Result<std::unique_ptr<ChildProcess>> Spawn(ChildOptions options,
                                                           const core::Clock& clock);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::vector<std::string>& argv() const { return options_.argv; }
  core::Seconds started_at() const { return started_at_; }

  // Never blocks. Reaps the child if it has exited and returns its status (the same status on
  // every later call); otherwise enforces the timeout and any pending SIGKILL and returns nullopt.
  std::optional<ExitStatus> Poll();
  // SIGTERM to the group now; Poll() sends SIGKILL if it is still running `grace_s` later.
  void Terminate(core::Seconds grace_s);
  // True once the timeout fired (the exit status then tells which signal ended it).
  bool timed_out() const { return timed_out_; }
  // Up to `max_chars` from the end of the captured stderr, its last lines joined by " | ";
  // empty without capture or output.
  std::string StderrTail(std::size_t max_chars) const;
  // From now on, destroying this object leaves the child running (OnDestroy::kDetach).
  void Detach() { options_.on_destroy = OnDestroy::kDetach; }

 private:
  ChildProcess(ChildOptions options, const core::Clock& clock)
      : options_(std::move(options)), clock_(clock) {}
  void SignalGroup(int signal) const;

  ChildOptions options_;
  const core::Clock& clock_;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  core::Seconds started_at_ = 0;
  std::optional<core::Seconds> kill_at_;
  bool timed_out_ = false;
  std::optional<ExitStatus> exit_;
};

// Runs `options` to the end, polling every few milliseconds; bounded by options.timeout_s (which
// must be > 0) plus the kill grace. Blocks: for start-up probes only, never from a tick. Time is
// the monotonic clock, whatever clock the caller's driver uses.
struct SyncRunResult {
  ExitStatus exit;
  bool timed_out = false;
  std::string stderr_tail;
};
core::Result<SyncRunResult> RunToCompletion(ChildOptions options);

// The last non-empty lines of `text`, joined by " | ", at most `max_chars` (a longer last line
// keeps its end, after "..."): the part of a command's output worth quoting in an error.
std::string TailLines(std::string_view text, std::size_t max_chars);

// "SIGTERM", "SIGKILL", or "signal 42".
std::string SignalName(int signal);

}  // namespace ebb::power
