// RunPool: runs a list of commands as child processes (power::ChildProcess: no shell, own process
// group, stderr captured), at most `jobs` at a time, and reports each outcome as it ends. Blocks
// the calling thread until all have ended; a command that cannot start or exits non-zero is an
// outcome, never an error, and the others still run. Once `*stop` is true (SIGINT), nothing more
// starts, the running ones get SIGTERM (SIGKILL a few seconds later) and are reaped.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "power/child_process.h"

namespace ebb::compare {

struct RunOutcome {
  bool succeeded = false;
  std::string failure;  // "exit code 1: <stderr tail>", or why it could not start
  double wall_s = 0;
};

std::vector<RunOutcome> RunAll(
    const std::vector<power::ChildOptions>& commands, int jobs,
    const std::function<void(std::size_t index, const RunOutcome& outcome)>& on_done = {},
    const std::atomic<bool>* stop = nullptr);

}  // namespace ebb::compare
