// TerminalSession: owns the terminal while `ebb top` runs live. Opening it switches to the
// alternate screen, hides the cursor, turns off line wrapping, and puts the input in a raw-ish
// mode (no line editing, no echo, Ctrl-C arrives as a key); it also catches SIGINT, SIGTERM,
// SIGHUP and SIGWINCH through a self-pipe. Closing it (the destructor) puts all of that back as
// it was, whichever way the loop ended. One session per process at a time (the signal handlers
// are process-wide); use it from one thread. Open fails with FailedPrecondition when the input
// or output is not a terminal, and with Internal when the terminal refuses a setting.
#pragma once

#include <signal.h>
#include <termios.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace ebb::top {

struct TerminalSize {
  int columns = 80;
  int rows = 24;
};

enum class TerminalEventKind {
  kTimeout,  // nothing happened before the timeout
  kKeys,     // bytes typed (in `keys`)
  kResize,   // SIGWINCH: redraw at size()
  kQuit,     // SIGINT, SIGTERM, SIGHUP, or the input was closed
};

struct TerminalEvent {
  TerminalEventKind kind = TerminalEventKind::kTimeout;
  std::string keys;
};

class TerminalSession {
 public:
  static core::Result<std::unique_ptr<TerminalSession>> Open(int input_fd, int output_fd);
  ~TerminalSession();
  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  TerminalSize size() const;
  // Replaces the whole screen with `screen` ('\n'-separated lines that fit size()).
  core::Status Draw(std::string_view screen);
  // Waits up to `timeout_s` for a key or a signal; the first one that arrives.
  TerminalEvent Wait(double timeout_s);

 private:
  TerminalSession(int input_fd, int output_fd) : input_fd_(input_fd), output_fd_(output_fd) {}
  core::Status Start();
  void Restore();
  core::Status WriteAll(std::string_view bytes) const;

  static constexpr std::array<int, 4> kSignals{SIGINT, SIGTERM, SIGHUP, SIGWINCH};

  int input_fd_;
  int output_fd_;
  termios saved_termios_{};
  bool termios_changed_ = false;
  bool screen_changed_ = false;
  std::array<struct sigaction, kSignals.size()> saved_actions_{};
  bool handlers_installed_ = false;
  int pipe_read_fd_ = -1;
};

}  // namespace ebb::top
