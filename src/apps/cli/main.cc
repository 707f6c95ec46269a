// ebb: one binary, one subcommand per face of the project.
#include <CLI/CLI.hpp>

#include "apps/cli/compare_command.h"
#include "apps/cli/demo_command.h"
#include "apps/cli/logstat_command.h"
#include "apps/cli/plan_command.h"
#include "apps/cli/replay_command.h"
#include "apps/cli/run_command.h"
#include "apps/cli/simulate_command.h"
#include "apps/cli/testserver_command.h"
#include "apps/cli/top_command.h"

int main(int argc, char** argv) {
  CLI::App app{"ebb: power management for load-balanced web clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ebb 0.1.0");
  ebb::cli::AddDemoCommand(app);
  ebb::cli::AddRunCommand(app);
  ebb::cli::AddSimulateCommand(app);
  ebb::cli::AddCompareCommand(app);
  ebb::cli::AddLogstatCommand(app);
  ebb::cli::AddPlanCommand(app);
  ebb::cli::AddReplayCommand(app);
  ebb::cli::AddTestserverCommand(app);
  ebb::cli::AddTopCommand(app);
  ebb::cli::AddHaproxyConfigCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
