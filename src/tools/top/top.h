// RunTop: `ebb top`, a live terminal view of a running ebb daemon (what HATop is to HAProxy).
// Every interval it fetches the daemon's /status (status_fetcher.h) and redraws the screen
// (top_screen.h) in a TerminalSession until `q`, Ctrl-C, SIGINT, SIGTERM or a hang-up; the
// terminal is restored in every case. When the daemon stops answering, the last screen stays
// with the error under the header, and fetching goes on. With `once`, one plain screen goes to
// `out` instead (no terminal needed), for scripts and bug reports.
// Runs on the calling thread and blocks until done. Exit codes: 0 done; 1 the daemon could not be
// read (--once) or the terminal failed; 2 a bad argument (URL, interval) or no terminal.
// Messages go to `err`, prefixed "ebb top: ".
#pragma once

#include <cstdio>
#include <string>

#include "tools/top/daemon_url.h"

namespace ebb::top {

struct TopOptions {
  std::string url = std::string(kDefaultDaemonUrl);
  double interval_s = 1;  // between fetches; 0.1 .. 3600
  bool once = false;      // print one plain screen and exit
  // The width of the --once screen; 0: the terminal's when `out` is one, else 120.
  int columns = 0;
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

inline constexpr double kMinIntervalS = 0.1;
inline constexpr double kMaxIntervalS = 3600;

int RunTop(const TopOptions& options);

}  // namespace ebb::top
