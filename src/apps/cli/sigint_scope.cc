#include "apps/cli/sigint_scope.h"

namespace ebb::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void OnSigint(int) { g_interrupted.store(true); }

}  // namespace

SigintScope::SigintScope() {
  g_interrupted = false;
  struct sigaction action {};
  action.sa_handler = OnSigint;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &old_);
}

SigintScope::~SigintScope() { ::sigaction(SIGINT, &old_, nullptr); }

const std::atomic<bool>& SigintScope::Interrupted() { return g_interrupted; }

}  // namespace ebb::cli
