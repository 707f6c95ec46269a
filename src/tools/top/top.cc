#include "tools/top/top.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "tools/top/status_fetcher.h"
#include "tools/top/terminal_session.h"
#include "tools/top/top_screen.h"

namespace ebb::top {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int kOnceColumnsWithoutTerminal = 120;

double SecondsBetween(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// A fetch must not hold the screen (and the `q` key) much longer than one interval.
FetchTimeouts TimeoutsFor(double interval_s) {
  return {.connect_s = std::clamp(interval_s, 0.5, 2.0),
          .read_s = std::clamp(interval_s * 2, 1.0, 5.0)};
}

ColourMode ColourFromEnvironment() {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour != nullptr && no_colour[0] != '\0') return ColourMode::kPlain;
  const char* term = std::getenv("TERM");
  if (term == nullptr || std::string_view(term) == "dumb") return ColourMode::kPlain;
  return ColourMode::kAnsi;
}

int RunOnce(const TopOptions& options, const DaemonUrl& url) {
  core::Result<nlohmann::json> status = FetchStatus(url, TimeoutsFor(options.interval_s));
  if (!status.ok()) {
    fmt::print(options.err, "ebb top: {}\n", status.status().message());
    return 1;
  }
  int columns = options.columns;
  if (columns <= 0) {
    winsize window{};
    const int fd = ::fileno(options.out);
    columns =
        fd >= 0 && ::isatty(fd) != 0 && ::ioctl(fd, TIOCGWINSZ, &window) == 0 && window.ws_col > 0
            ? window.ws_col
            : kOnceColumnsWithoutTerminal;
  }
  const std::string screen = RenderTop(
      *status,
      {.columns = columns, .rows = 0, .colour = ColourMode::kPlain, .source = url.Origin()});
  fmt::print(options.out, "{}", screen);
  std::fflush(options.out);
  return 0;
}

// q, and Ctrl-C / Ctrl-D, which arrive as keys because the session turns off ISIG.
bool WantsQuit(std::string_view keys) {
  return keys.find_first_of(std::string_view("qQ\x03\x04", 4)) != std::string_view::npos;
}

int RunLive(const TopOptions& options, const DaemonUrl& url) {
  core::Result<std::unique_ptr<TerminalSession>> opened =
      TerminalSession::Open(STDIN_FILENO, ::fileno(options.out));
  if (!opened.ok()) {
    fmt::print(options.err, "ebb top: {}\n", opened.status().message());
    return opened.status().code() == core::StatusCode::kFailedPrecondition ? 2 : 1;
  }
  TerminalSession& terminal = **opened;
  const ColourMode colour = ColourFromEnvironment();
  const FetchTimeouts timeouts = TimeoutsFor(options.interval_s);

  nlohmann::json last_status;  // null until the first fetch succeeds
  std::optional<SteadyClock::time_point> last_success;
  std::string error;
  SteadyClock::time_point next_fetch = SteadyClock::now();
  while (true) {
    if (SteadyClock::now() >= next_fetch) {
      const SteadyClock::time_point started = SteadyClock::now();
      core::Result<nlohmann::json> status = FetchStatus(url, timeouts);
      if (status.ok()) {
        last_status = std::move(status).value();
        last_success = SteadyClock::now();
        error.clear();
      } else {
        error = status.status().message();
        if (last_success) {
          error += fmt::format(" (screen from {:.0f}s ago; retrying)",
                               SecondsBetween(*last_success, SteadyClock::now()));
        } else {
          error += " (retrying)";
        }
      }
      // Fetches start on a fixed beat; a slow one does not push the next ones later.
      next_fetch = std::max(started + std::chrono::duration_cast<SteadyClock::duration>(
                                          std::chrono::duration<double>(options.interval_s)),
                            SteadyClock::now());
    }
    const TerminalSize size = terminal.size();
    const std::string screen = RenderTop(last_status, {.columns = size.columns,
                                                       .rows = size.rows,
                                                       .colour = colour,
                                                       .source = url.Origin(),
                                                       .error = error});
    if (const core::Status drawn = terminal.Draw(screen); !drawn.ok()) {
      // Restore what can be restored first, so that the message lands on the normal screen.
      opened->reset();
      fmt::print(options.err, "ebb top: {}\n", drawn.message());
      return 1;
    }

    const TerminalEvent event =
        terminal.Wait(std::max(0.0, SecondsBetween(SteadyClock::now(), next_fetch)));
    if (event.kind == TerminalEventKind::kQuit) return 0;
    if (event.kind == TerminalEventKind::kKeys && WantsQuit(event.keys)) return 0;
  }
}

}  // namespace

int RunTop(const TopOptions& options) {
  core::Result<DaemonUrl> url = ParseDaemonUrl(options.url);
  if (!url.ok()) {
    fmt::print(options.err, "ebb top: {}\n", url.status().message());
    return 2;
  }
  if (!std::isfinite(options.interval_s) || options.interval_s < kMinIntervalS ||
      options.interval_s > kMaxIntervalS) {
    fmt::print(options.err, "ebb top: --interval {} is outside {}..{} seconds\n",
               options.interval_s, kMinIntervalS, kMaxIntervalS);
    return 2;
  }
  return options.once ? RunOnce(options, *url) : RunLive(options, *url);
}

}  // namespace ebb::top
