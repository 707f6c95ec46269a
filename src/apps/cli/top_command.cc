#include "apps/cli/top_command.h"

#include <memory>

#include "tools/top/top.h"

namespace ebb::cli {

void AddTopCommand(CLI::App& app) {
  auto options = std::make_shared<top::TopOptions>();
  CLI::App* cmd = app.add_subcommand(
      "top",
      "Watch a running ebb daemon: nodes by state and why, load and forecast, the last "
      "decisions; refreshes every interval, q or Ctrl-C quits");
  cmd->add_option("url", options->url,
                  "the daemon: http://HOST:PORT[/PREFIX], or HOST[:PORT] (port 9180 when left "
                  "out)")
      ->capture_default_str();
  cmd->add_flag("--once", options->once,
                "print one plain screen to stdout and exit (1 when the daemon cannot be reached)");
  cmd->add_option("--interval", options->interval_s, "seconds between refreshes")
      ->check(CLI::Range(top::kMinIntervalS, top::kMaxIntervalS))
      ->capture_default_str();
  cmd->callback([options] { throw CLI::RuntimeError(top::RunTop(*options)); });
}

}  // namespace ebb::cli
