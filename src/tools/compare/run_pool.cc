#include "tools/compare/run_pool.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>

#include "core/steady_clock.h"

namespace ebb::compare {

std::vector<RunOutcome> RunAll(const std::vector<power::ChildOptions>& commands, int jobs,
                               const std::function<void(std::size_t, const RunOutcome&)>& on_done,
                               const std::atomic<bool>* stop) {
  constexpr std::size_t kStderrTail = 600;
  constexpr core::Seconds kKillGrace = 3;
  const core::SteadyClock clock;
  std::vector<RunOutcome> outcomes(commands.size());
  struct Running {
    std::size_t index;
    std::unique_ptr<power::ChildProcess> child;
  };
  std::vector<Running> running;
  std::size_t next = 0;
  auto finish = [&](std::size_t index, RunOutcome outcome) {
    outcomes[index] = std::move(outcome);
    if (on_done) on_done(index, outcomes[index]);
  };
  bool stopping = false;
  while (next < commands.size() || !running.empty()) {
    if (!stopping && stop != nullptr && stop->load()) {
      stopping = true;
      for (Running& r : running) r.child->Terminate(kKillGrace);
      while (next < commands.size()) finish(next++, {.failure = "not started: interrupted"});
    }
    while (next < commands.size() && running.size() < static_cast<std::size_t>(std::max(jobs, 1))) {
      const std::size_t index = next++;
      auto child = power::ChildProcess::Spawn(commands[index], clock);
      if (!child.ok()) {
        finish(index, {.failure = child.status().message()});
        continue;
      }
      running.push_back({index, std::move(child).value()});
    }
    bool any_ended = false;
    for (auto it = running.begin(); it != running.end();) {
      const std::optional<power::ExitStatus> exit = it->child->Poll();
      if (!exit) {
        ++it;
        continue;
      }
      RunOutcome outcome{.succeeded = exit->Succeeded(),
                         .wall_s = clock.Now() - it->child->started_at()};
      if (!outcome.succeeded) {
        const std::string tail = it->child->StderrTail(kStderrTail);
        outcome.failure = exit->ToString() + (tail.empty() ? "" : ": " + tail);
      }
      finish(it->index, std::move(outcome));
      it = running.erase(it);
      any_ended = true;
    }
    if (!any_ended && !running.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return outcomes;
}

}  // namespace ebb::compare
