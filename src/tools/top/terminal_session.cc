#include "tools/top/terminal_session.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

namespace ebb::top {
namespace {

// The write end of the self-pipe, for the signal handler; -1 when no session is open.
std::atomic<int> g_signal_pipe_write{-1};

extern "C" void OnSignal(int signal_number) {
  const int saved_errno = errno;
  const int fd = g_signal_pipe_write.load(std::memory_order_relaxed);
  if (fd >= 0) {
    const auto byte = static_cast<unsigned char>(signal_number);
    // A full pipe already holds a wake-up; losing this byte loses nothing.
    [[maybe_unused]] const ssize_t written = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

// Alternate screen, hidden cursor, no autowrap (a full-width line must not scroll the screen).
constexpr std::string_view kEnterScreen = "\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J";
constexpr std::string_view kLeaveScreen = "\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l";

core::Status ErrnoError(std::string_view what) {
  return core::InternalError(fmt::format("terminal: {}: {}", what, std::strerror(errno)));
}

}  // namespace

core::Result<std::unique_ptr<TerminalSession>> TerminalSession::Open(int input_fd, int output_fd) {
  if (::isatty(input_fd) == 0) {
    return core::FailedPreconditionError("the input is not a terminal (use --once)");
  }
  if (::isatty(output_fd) == 0) {
    return core::FailedPreconditionError("the output is not a terminal (use --once)");
  }
  if (g_signal_pipe_write.load() >= 0) {
    return core::FailedPreconditionError("a terminal session is already open in this process");
  }
  std::unique_ptr<TerminalSession> session(new TerminalSession(input_fd, output_fd));
  const core::Status started = session->Start();
  if (!started.ok()) return started;  // the destructor undoes what Start did
  return session;
}

core::Status TerminalSession::Start() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return ErrnoError("pipe");
  pipe_read_fd_ = fds[0];
  g_signal_pipe_write.store(fds[1]);

  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll() returns early, and the pipe says why
  for (std::size_t i = 0; i < kSignals.size(); ++i) {
    if (::sigaction(kSignals[i], &action, &saved_actions_[i]) != 0) {
      // Put back the ones already changed.
      for (std::size_t j = 0; j < i; ++j) ::sigaction(kSignals[j], &saved_actions_[j], nullptr);
      return ErrnoError("sigaction");
    }
  }
  handlers_installed_ = true;

  if (::tcgetattr(input_fd_, &saved_termios_) != 0) return ErrnoError("tcgetattr");
  termios raw = saved_termios_;
  raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
  raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL);
  raw.c_cc[VMIN] = 0;
  raw.c_cc[VTIME] = 0;
  if (::tcsetattr(input_fd_, TCSAFLUSH, &raw) != 0) return ErrnoError("tcsetattr");
  termios_changed_ = true;

  screen_changed_ = true;
  return WriteAll(kEnterScreen);
}

void TerminalSession::Restore() {
  if (screen_changed_) {
    (void)WriteAll(kLeaveScreen);
    screen_changed_ = false;
  }
  if (termios_changed_) {
    ::tcsetattr(input_fd_, TCSAFLUSH, &saved_termios_);
    termios_changed_ = false;
  }
  if (handlers_installed_) {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
      ::sigaction(kSignals[i], &saved_actions_[i], nullptr);
    }
    handlers_installed_ = false;
  }
  const int write_fd = g_signal_pipe_write.exchange(-1);
  if (write_fd >= 0) ::close(write_fd);
  if (pipe_read_fd_ >= 0) {
    ::close(pipe_read_fd_);
    pipe_read_fd_ = -1;
  }
}

TerminalSession::~TerminalSession() { Restore(); }

TerminalSize TerminalSession::size() const {
  winsize window{};
  if (::ioctl(output_fd_, TIOCGWINSZ, &window) != 0 || window.ws_col == 0 || window.ws_row == 0) {
    return TerminalSize{};
  }
  return TerminalSize{.columns = window.ws_col, .rows = window.ws_row};
}

core::Status TerminalSession::WriteAll(std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t written = ::write(output_fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        pollfd pfd{.fd = output_fd_, .events = POLLOUT, .revents = 0};
        ::poll(&pfd, 1, 1000);
        continue;
      }
      return ErrnoError("write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return core::Status::Ok();
}

core::Status TerminalSession::Draw(std::string_view screen) {
  const int rows = size().rows;
  std::string frame;
  frame.reserve(screen.size() + 16 * static_cast<std::size_t>(rows));
  int row = 0;
  while (!screen.empty() && row < rows) {
    const std::size_t end = screen.find('\n');
    const std::string_view line = screen.substr(0, end);
    screen = end == std::string_view::npos ? std::string_view() : screen.substr(end + 1);
    ++row;
    // Each row is addressed and erased before it is written: no scrolling, no leftovers.
    frame += fmt::format("\x1b[{};1H\x1b[2K", row);
    frame += line;
  }
  if (row < rows) frame += fmt::format("\x1b[{};1H\x1b[J", row + 1);
  return WriteAll(frame);
}

TerminalEvent TerminalSession::Wait(double timeout_s) {
  pollfd fds[2] = {{.fd = pipe_read_fd_, .events = POLLIN, .revents = 0},
                   {.fd = input_fd_, .events = POLLIN, .revents = 0}};
  const int timeout_ms = static_cast<int>(std::ceil(std::clamp(timeout_s, 0.0, 3600.0) * 1e3));
  const int ready = ::poll(fds, 2, timeout_ms);
  if (ready <= 0) return {};  // a timeout, or a signal whose byte the next Wait reads

  if ((fds[0].revents & POLLIN) != 0) {
    unsigned char signals[64];
    const ssize_t count = ::read(pipe_read_fd_, signals, sizeof(signals));
    bool resize = false;
    for (ssize_t i = 0; i < count; ++i) {
      if (signals[i] == SIGWINCH) {
        resize = true;
      } else {
        return {.kind = TerminalEventKind::kQuit};
      }
    }
    if (resize) return {.kind = TerminalEventKind::kResize};
  }
  if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
    char keys[64];
    const ssize_t count = ::read(input_fd_, keys, sizeof(keys));
    if (count > 0) {
      return {.kind = TerminalEventKind::kKeys,
              .keys = std::string(keys, static_cast<std::size_t>(count))};
    }
    // The terminal went away (a hang-up): nobody is watching any more. With VMIN 0 a read of
    // nothing alone is not a hang-up.
    const bool hung_up = (fds[1].revents & (POLLHUP | POLLERR)) != 0;
    if ((count == 0 && hung_up) || (count < 0 && errno != EINTR && errno != EAGAIN)) {
      return {.kind = TerminalEventKind::kQuit};
    }
  }
  return {};
}

}  // namespace ebb::top
