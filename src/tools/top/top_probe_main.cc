// top_probe URL [INTERVAL_S]: RunTop in live mode, for the test that drives it in a real terminal
// (tmux) without needing the whole `ebb` binary.
#include <cstdlib>
#include <string>

#include "tools/top/top.h"

int main(int argc, char** argv) {
  ebb::top::TopOptions options;
  if (argc > 1) options.url = argv[1];
  if (argc > 2) options.interval_s = std::strtod(argv[2], nullptr);
  return ebb::top::RunTop(options);
}
