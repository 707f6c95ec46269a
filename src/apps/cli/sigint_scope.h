// SigintScope: while one is alive, the first SIGINT (Ctrl-C) only raises the flag `Interrupted()`
// that a command's loop polls, so that it stops cleanly and still reports; a second SIGINT kills
// as usual (SA_RESETHAND). No SA_RESTART: a blocking call returns EINTR at once. One scope at a
// time, on the main thread.
#pragma once

#include <signal.h>

#include <atomic>

namespace ebb::cli {

class SigintScope {
 public:
  SigintScope();
  ~SigintScope();
  SigintScope(const SigintScope&) = delete;
  SigintScope& operator=(const SigintScope&) = delete;

  // True once SIGINT arrived during the current (or the last) scope.
  static const std::atomic<bool>& Interrupted();

 private:
  struct sigaction old_ {};
};

}  // namespace ebb::cli
