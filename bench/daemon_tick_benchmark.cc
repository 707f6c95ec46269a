// The daemon's cost per tick against a real HAProxy: one tick with 1,000 servers in one backend
// (fetch and parse `show stat`, decide, record) should take at most 1.5x what HAProxy itself
// takes to answer `show stat`. bench/daemon_bench.sh starts the haproxy, writes the live config
// and runs this binary on it:
//   daemon_tick_benchmark [google benchmark flags] CONFIG.toml
// The parts are those of the daemon's tick (src/daemon/daemon.cc, LiveDaemon::Tick): the
// HaproxyLoadBalancer, the Controller with the configured policy and power driver, and the
// StateStore commit of the nodes, transitions and decision that changed, in a temporary file.
// The /status and /metrics snapshot the daemon also builds each tick is not part of the
// criterion; daemon_bench.sh measures the whole daemon separately.
//
// Benchmarks:
//   BM_ShowStat           HAProxy's answer: connect, send `show stat`, read the whole reply with
//                         a plain blocking client (no parsing)
//   BM_Poll               HaproxyLoadBalancer::Poll (fetch + parse + merge)
//   BM_Tick               Controller::Tick (poll, reconcile, policy, guard) + the store commit
//   BM_TickVsShowStat     one show stat and one tick per iteration, timed apart, so that both
//                         see the same machine; counters show_stat_us, tick_us and their ratio
//   BM_Decide             Controller::Tick on a canned poll: the controller and policy alone
//   BM_Commit/k           a commit of k changed nodes with their transitions and a decision
//   BM_StatusNodesJson    the per-node part of a /status answer (rendered on request, not per tick)
#include <benchmark/benchmark.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "control/controller.h"
#include "core/realtime_event_loop.h"
#include "daemon/live_config.h"
#include "daemon/tick_write.h"
#include "lb/haproxy/haproxy_load_balancer.h"
#include "policy/policy_factory.h"
#include "power/power_driver_factory.h"
#include "store/state_store.h"

namespace {

using ebb::core::NodeState;
using ebb::core::Seconds;
using SteadyClock = std::chrono::steady_clock;
using Micros = std::chrono::duration<double, std::micro>;

// The baseline: as little as a client can do to get HAProxy's whole answer. Blocking calls, one
// reused buffer; whatever time remains is HAProxy building and sending the reply.
class PlainStatsClient {
 public:
  explicit PlainStatsClient(std::string path) : path_(std::move(path)) {
    buffer_.resize(std::size_t{1} << 20);
  }

  // The reply's size, or 0 on any failure.
  std::size_t Execute(std::string_view command) {
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return 0;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof(address.sun_path), "%s", path_.c_str());
    std::size_t size = 0;
    std::string line = std::string(command) + "\n";
    if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0 &&
        write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())) {
      while (true) {
        if (size == buffer_.size()) buffer_.resize(buffer_.size() * 2);
        const ssize_t n = read(fd, buffer_.data() + size, buffer_.size() - size);
        if (n <= 0) break;
        size += static_cast<std::size_t>(n);
      }
    }
    close(fd);
    return size;
  }

  std::string_view reply(std::size_t size) const { return {buffer_.data(), size}; }

 private:
  std::string path_;
  std::string buffer_;
};

// Collects the decision of the running tick, as the daemon's sink does.
class LastDecisionSink final : public ebb::control::DecisionSink {
 public:
  void Record(const ebb::control::DecisionRecord& record) override { last_ = record; }
  std::optional<ebb::control::DecisionRecord> Take() { return std::exchange(last_, std::nullopt); }

 private:
  std::optional<ebb::control::DecisionRecord> last_;
};

// A LoadBalancer that answers every poll with one captured poll: BM_Decide's controller sees the
// real cluster without the socket round trip.
class CannedLoadBalancer final : public ebb::lb::LoadBalancer {
 public:
  CannedLoadBalancer(const ebb::core::Clock& clock, ebb::lb::BackendStats stats)
      : clock_(clock), stats_(std::move(stats)) {}
  ebb::core::Status Poll(ebb::lb::BackendStats& out) override {
    out = stats_;
    out.at = clock_.Now();
    return ebb::core::Status::Ok();
  }
  ebb::core::Status SetAdminState(std::string_view, ebb::lb::AdminState) override {
    return ebb::core::Status::Ok();
  }

 private:
  const ebb::core::Clock& clock_;
  ebb::lb::BackendStats stats_;
};

// One tick's parts, assembled as LiveDaemon::Init does (without the HTTP server and the signals).
class TickRig {
 public:
  static ebb::core::Result<std::unique_ptr<TickRig>> Create(const std::string& config_path) {
    auto config = ebb::daemon::LoadLiveConfig(config_path);
    if (!config.ok()) return config.status();
    auto rig = std::unique_ptr<TickRig>(new TickRig(std::move(*config)));
    EBB_RETURN_IF_ERROR(rig->Init());
    return rig;
  }

  ~TickRig() {
    controller_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // The daemon's tick without its snapshot for /status: decide, then record what changed.
  void Tick() {
    const Seconds now = loop_.Now();
    controller_->Tick(now);
    Persist(now, sink_.Take());
  }

  const ebb::daemon::LiveConfig& config() const { return config_; }
  ebb::control::Controller& controller() { return *controller_; }
  ebb::lb::haproxy::HaproxyLoadBalancer& haproxy() { return *haproxy_; }
  ebb::core::RealtimeEventLoop& loop() { return loop_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::uint64_t store_failures() const { return store_failures_; }
  std::size_t last_changed_nodes() const { return last_changed_nodes_; }

 private:
  explicit TickRig(ebb::daemon::LiveConfig config) : config_(std::move(config)) {}

  ebb::core::Status Init() {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("ebb_tick_bench_{}", static_cast<long>(getpid()));
    std::filesystem::create_directories(dir_);
    ebb::lb::haproxy::HaproxyLoadBalancerOptions lb_options;
    lb_options.addresses = config_.haproxy_sockets;
    lb_options.backend = config_.backend;
    for (const ebb::core::NodeSpec& spec : config_.nodes) lb_options.servers.push_back(spec.name);
    auto haproxy = ebb::lb::haproxy::HaproxyLoadBalancer::Create(loop_, lb_options);
    if (!haproxy.ok()) return haproxy.status();
    haproxy_ = std::move(*haproxy);
    EBB_RETURN_IF_ERROR(haproxy_->CheckServersExist());
    auto driver = ebb::power::MakePowerDriver(config_.power, loop_);
    if (!driver.ok()) return driver.status();
    driver_ = std::move(*driver);
    auto store = ebb::store::StateStore::Open((dir_ / "state.db").string());
    if (!store.ok()) return store.status();
    store_ = std::move(*store);
    auto policy = ebb::policy::MakePolicy(config_.policy.policy);
    if (!policy.ok()) return policy.status();
    policy_ = std::move(*policy);
    controller_ = std::make_unique<ebb::control::Controller>(
        config_.nodes, config_.policy.controller, *haproxy_, *driver_, *policy_, &sink_);
    for (std::size_t i = 0; i < config_.nodes.size(); ++i) {
      const auto id = static_cast<ebb::core::NodeId>(i);
      controller_->AdoptPowerStatus(id, driver_->QueryStatus(id, config_.nodes[i]));
    }
    saved_nodes_.assign(config_.nodes.size(), ebb::control::NodeRuntime{});
    for (auto& node : saved_nodes_) node.state = NodeState::kUnknown;
    return ebb::core::Status::Ok();
  }

  // LiveDaemon::Persist, minus its logging: the same write.
  void Persist(Seconds now, std::optional<ebb::control::DecisionRecord> decision) {
    const ebb::store::TickWrite write = ebb::daemon::MakeTickWrite(
        now, config_.nodes, *controller_, saved_nodes_, std::move(decision));
    last_changed_nodes_ = write.nodes.size();
    if (store_->Commit(write).ok()) {
      saved_nodes_ = controller_->nodes();
    } else {
      ++store_failures_;
    }
  }

  ebb::daemon::LiveConfig config_;
  ebb::core::RealtimeEventLoop loop_;
  std::filesystem::path dir_;
  std::unique_ptr<ebb::lb::haproxy::HaproxyLoadBalancer> haproxy_;
  std::unique_ptr<ebb::power::PowerDriver> driver_;
  std::unique_ptr<ebb::store::StateStore> store_;
  std::unique_ptr<ebb::policy::Policy> policy_;
  LastDecisionSink sink_;
  std::unique_ptr<ebb::control::Controller> controller_;
  std::vector<ebb::control::NodeRuntime> saved_nodes_;
  std::uint64_t store_failures_ = 0;
  std::size_t last_changed_nodes_ = 0;
};

// Set up once by main(), before the benchmarks run.
TickRig* g_rig = nullptr;
std::unique_ptr<PlainStatsClient> g_plain;

void BM_ShowStat(benchmark::State& state) {
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::size_t size = g_plain->Execute("show stat");
    if (size == 0) {
      state.SkipWithError("show stat: no reply");
      return;
    }
    bytes += size;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ShowStat)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Poll(benchmark::State& state) {
  ebb::lb::BackendStats stats;
  for (auto _ : state) {
    const ebb::core::Status status = g_rig->haproxy().Poll(stats);
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(stats.requests_total);
  }
}
BENCHMARK(BM_Poll)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Tick(benchmark::State& state) {
  const std::uint64_t failures = g_rig->controller().counters().poll_failures;
  for (auto _ : state) g_rig->Tick();
  if (g_rig->controller().counters().poll_failures != failures) {
    state.SkipWithError("a poll failed during the ticks");
  }
}
BENCHMARK(BM_Tick)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_TickVsShowStat(benchmark::State& state) {
  Micros show_stat{0};
  Micros tick{0};
  for (auto _ : state) {
    auto start = SteadyClock::now();
    if (g_plain->Execute("show stat") == 0) {
      state.SkipWithError("show stat: no reply");
      return;
    }
    auto middle = SteadyClock::now();
    g_rig->Tick();
    auto end = SteadyClock::now();
    show_stat += middle - start;
    tick += end - middle;
  }
  const double n = static_cast<double>(state.iterations());
  state.counters["show_stat_us"] = show_stat.count() / n;
  state.counters["tick_us"] = tick.count() / n;
  state.counters["tick_per_show_stat"] = tick.count() / show_stat.count();
}
BENCHMARK(BM_TickVsShowStat)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_Decide(benchmark::State& state) {
  ebb::lb::BackendStats captured;
  if (const ebb::core::Status s = g_rig->haproxy().Poll(captured); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  CannedLoadBalancer canned(g_rig->loop(), captured);
  auto policy = ebb::policy::MakePolicy(g_rig->config().policy.policy);
  if (!policy.ok()) {
    state.SkipWithError(policy.status().ToString().c_str());
    return;
  }
  // Its own driver: the rig's must keep its completions for the rig's controller.
  auto driver = ebb::power::MakePowerDriver(g_rig->config().power, g_rig->loop());
  if (!driver.ok()) {
    state.SkipWithError(driver.status().ToString().c_str());
    return;
  }
  ebb::control::Controller controller(g_rig->config().nodes, g_rig->config().policy.controller,
                                      canned, **driver, **policy);
  for (std::size_t i = 0; i < g_rig->config().nodes.size(); ++i) {
    controller.AdoptPowerStatus(static_cast<ebb::core::NodeId>(i),
                                ebb::power::PowerStatus::kUnknown);
  }
  controller.Tick(g_rig->loop().Now());  // the first sight of every node is not the steady cost
  for (auto _ : state) controller.Tick(g_rig->loop().Now());
}
BENCHMARK(BM_Decide)->Unit(benchmark::kMicrosecond)->UseRealTime();

// A tick that changed k nodes: their rows, k transitions and a decision, in one transaction.
void BM_Commit(benchmark::State& state) {
  const auto k = static_cast<std::size_t>(state.range(0));
  const auto path = g_rig->dir() / fmt::format("commit_{}.db", k);
  auto store = ebb::store::StateStore::Open(path.string());
  if (!store.ok()) {
    state.SkipWithError(store.status().ToString().c_str());
    return;
  }
  const auto& specs = g_rig->config().nodes;
  bool draining = false;
  for (auto _ : state) {
    draining = !draining;
    const NodeState from = draining ? NodeState::kOnline : NodeState::kDraining;
    const NodeState to = draining ? NodeState::kDraining : NodeState::kOnline;
    ebb::store::TickWrite write;
    write.at = g_rig->loop().Now();
    ebb::control::DecisionRecord decision{.at = write.at,
                                          .policy = "regression",
                                          .serving = 50,
                                          .policy_target = 40,
                                          .target = 40,
                                          .reason = "benchmark"};
    for (std::size_t i = 0; i < k; ++i) {
      const std::string& name = specs[i % specs.size()].name;
      write.nodes.push_back({.name = name, .state = to, .since = write.at});
      write.transitions.push_back(
          {.at = write.at, .node = name, .from = from, .to = to, .reason = "drain " + name});
      decision.actions.push_back("drain " + name);
    }
    write.decision = std::move(decision);
    write.meta.emplace_back("last_any_at", fmt::format("{:.6f}", write.at));
    if (const ebb::core::Status s = (*store)->Commit(write); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
  }
  store->reset();
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path.string() + suffix, ignored);
  }
}
BENCHMARK(BM_Commit)->Arg(1)->Arg(10)->Arg(1000)->Unit(benchmark::kMicrosecond)->UseRealTime();

// What a /status request makes the daemon build: one JSON object per node (the same fields),
// dumped to text. Rendered on the HTTP thread when asked for, not in the tick.
void BM_StatusNodesJson(benchmark::State& state) {
  const auto& runtime = g_rig->controller().nodes();
  const auto& specs = g_rig->config().nodes;
  const auto& why = g_rig->controller().why();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const Seconds now = g_rig->loop().Now();
    nlohmann::json nodes = nlohmann::json::array();
    for (std::size_t i = 0; i < runtime.size(); ++i) {
      const ebb::control::NodeRuntime& node = runtime[i];
      nodes.push_back({{"name", specs[i].name},
                       {"state", ebb::core::ToString(node.state)},
                       {"since", node.since},
                       {"for_s", now - node.since},
                       {"deadline", std::isfinite(node.deadline) ? nlohmann::json(node.deadline)
                                                                 : nlohmann::json()},
                       {"sessions", node.sessions},
                       {"boots", node.boots},
                       {"failures", node.failures},
                       {"why", why[i]}});
    }
    bytes += nodes.dump().size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_StatusNodesJson)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s [benchmark flags] CONFIG.toml (see bench/daemon_bench.sh)\n",
                 argv[0]);
    return 2;
  }
  auto rig = TickRig::Create(argv[1]);
  if (!rig.ok()) {
    std::fprintf(stderr, "daemon_tick_benchmark: %s\n", rig.status().ToString().c_str());
    return 1;
  }
  g_rig = rig->get();
  g_plain = std::make_unique<PlainStatsClient>((*rig)->config().haproxy_sockets.front());
  const std::size_t reply = g_plain->Execute("show stat");
  const std::string& last = (*rig)->config().nodes.back().name;
  if (reply == 0 || g_plain->reply(reply).find(last) == std::string_view::npos) {
    std::fprintf(stderr, "daemon_tick_benchmark: `show stat` at %s lacks server %s\n",
                 (*rig)->config().haproxy_sockets.front().c_str(), last.c_str());
    return 1;
  }

  // The first tick adopts every node (each is a change to write); then power commands of the
  // adoption run and complete. The benchmarks measure the cluster once it has settled.
  auto start = SteadyClock::now();
  g_rig->Tick();
  const Micros first = SteadyClock::now() - start;
  std::fprintf(stderr, "first tick (adopts %zu nodes, writes %zu rows): %.0f us\n",
               (*rig)->config().nodes.size(), g_rig->last_changed_nodes(), first.count());
  int quiet = 0;
  for (int i = 0; i < 20000 && quiet < 50; ++i) {
    g_rig->Tick();
    quiet = g_rig->last_changed_nodes() == 0 ? quiet + 1 : 0;
    usleep(1000);
  }
  std::string states;
  for (NodeState s :
       {NodeState::kUnknown, NodeState::kBusy, NodeState::kOnline, NodeState::kOffline,
        NodeState::kDown, NodeState::kBooting, NodeState::kDraining, NodeState::kPoweringOff}) {
    const auto& nodes = g_rig->controller().nodes();
    const auto count =
        std::count_if(nodes.begin(), nodes.end(),
                      [s](const ebb::control::NodeRuntime& n) { return n.state == s; });
    if (count == 0) continue;
    states += fmt::format("{}{} {}", states.empty() ? "" : ", ", count, ebb::core::ToString(s));
  }
  std::fprintf(stderr, "settled%s: %s; `show stat` reply %zu bytes; policy %s\n",
               quiet >= 50 ? "" : " (NOT quiet after 20,000 ticks)", states.c_str(), reply,
               (*rig)->config().policy.policy.name.c_str());

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (g_rig->store_failures() > 0) {
    std::fprintf(stderr, "daemon_tick_benchmark: %llu store commits failed\n",
                 static_cast<unsigned long long>(g_rig->store_failures()));
    return 1;
  }
  g_plain.reset();
  return 0;
}
