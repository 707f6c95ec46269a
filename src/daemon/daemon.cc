#include "daemon/daemon.h"

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "control/controller.h"
#include "daemon/dry_run_load_balancer.h"
#include "daemon/http_server.h"
#include "daemon/live_config.h"
#include "daemon/tick_write.h"
#include "lb/haproxy/haproxy_load_balancer.h"
#include "metrics/cost_meter.h"
#include "metrics/host_stats.h"
#include "metrics/prometheus_text.h"
#include "metrics/time_weighted_mean.h"
#include "policy/policy_factory.h"
#include "power/dry_run_power_driver.h"
#include "power/power_driver_factory.h"
#include "store/state_store.h"

namespace ebb::daemon {
namespace {

using core::NodeState;
using core::Seconds;
using nlohmann::json;

constexpr std::size_t kRecentDecisions = 20;

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

json DecisionJson(const control::DecisionRecord& r) {
  return json{{"at", r.at},
              {"policy", r.policy},
              {"rate_rps", r.rate_rps},
              {"expected_rps", r.expected_rps},
              {"serving", r.serving},
              {"booting", r.booting},
              {"policy_target", r.policy_target},
              {"target", r.target},
              {"actions", r.actions},
              {"reason", r.reason}};
}

// One family and one sample at a time; the names and help texts are the daemon's own constants,
// so a rejected one is a programming error (tests/daemon_live_test.cc reads the page), not a
// runtime fault.
struct MetricWriter {
  metrics::PrometheusText& text;
  void Gauge(std::string_view name, std::string_view help, double value,
             const metrics::Labels& labels = {}) {
    (void)text.Declare(name, metrics::MetricType::kGauge, help);
    (void)text.Add(name, labels, value);
  }
  void Counter(std::string_view name, std::string_view help, std::uint64_t value,
               const metrics::Labels& labels = {}) {
    (void)text.Declare(name, metrics::MetricType::kCounter, help);
    (void)text.AddInteger(name, labels, value);
  }
};

// Collects the decision of the tick that is running; the daemon writes it out after the tick.
class TickDecisionSink final : public control::DecisionSink {
 public:
  void Record(const control::DecisionRecord& record) override { last_ = record; }
  std::optional<control::DecisionRecord> Take() { return std::exchange(last_, std::nullopt); }

 private:
  std::optional<control::DecisionRecord> last_;
};

// What /status and /metrics show: plain copies made on the loop thread after each tick (cheap:
// no formatting), turned into JSON or Prometheus text on the HTTP thread only when asked for.
struct StatusData {
  Seconds now = 0;
  control::TickSummary tick;
  control::ControllerCounters counters;
  std::vector<control::NodeRuntime> nodes;
  std::vector<std::string> why;
  std::deque<control::DecisionRecord> decisions;
  std::uint64_t store_failures = 0;
  std::uint64_t reloads = 0;
  std::uint64_t failed_reloads = 0;
  std::uint64_t divergences = 0;
  double power_w = 0;
  double energy_kwh = 0;
  double always_on_kwh = 0;
  double cost_c1 = 0;
  double cost_c2 = 0;
  double cost_rate = 0;
  double cost_mean = 0;
  double cost_total = 0;
  std::string policy;
  Seconds interval_s = 0;
};

struct Snapshot {
  std::mutex mutex;
  StatusData data;
};

class LiveDaemon final : public Daemon {
 public:
  LiveDaemon(LiveConfig config, DaemonOptions options, core::RealtimeEventLoop& loop)
      : config_(std::move(config)), options_(std::move(options)), loop_(loop) {}

  ~LiveDaemon() override { StopHttp(); }

  core::Status Init();
  core::Status Run() override;

 private:
  core::Status StartHttp();
  void StopHttp();
  void ScheduleTick(Seconds at);
  void Tick();
  void Persist(Seconds now, std::optional<control::DecisionRecord> decision);
  double NodePowerW(const control::NodeRuntime& node, double utilisation) const;
  void Account(Seconds now);
  void Publish(Seconds now);
  StatusData CopySnapshot();
  std::string RenderStatus(const StatusData& d) const;
  std::string RenderDaemonMetrics(const StatusData& d) const;
  std::string RenderMetrics(Seconds now) const;
  void Reload();
  void Shutdown();

  LiveConfig config_;
  DaemonOptions options_;
  core::RealtimeEventLoop& loop_;

  std::unique_ptr<lb::haproxy::HaproxyLoadBalancer> haproxy_;
  std::unique_ptr<DryRunLoadBalancer> dry_lb_;
  lb::LoadBalancer* lb_ = nullptr;
  std::unique_ptr<power::PowerDriver> driver_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<store::StateStore> store_;
  TickDecisionSink sink_;
  std::unique_ptr<control::Controller> controller_;

  std::vector<control::NodeRuntime> saved_nodes_;
  std::deque<control::DecisionRecord> recent_;
  Seconds started_at_ = 0;
  core::TimerId tick_timer_ = 0;
  bool stopping_ = false;
  std::uint64_t store_failures_ = 0;
  std::uint64_t reloads_ = 0;
  std::uint64_t failed_reloads_ = 0;
  std::uint64_t divergences_ = 0;

  metrics::TimeWeightedMean power_w_;
  metrics::TimeWeightedMean always_on_power_w_;
  metrics::CostMeter cost_;
  double last_power_w_ = 0;

  Snapshot snapshot_;
  std::unique_ptr<HttpServer> http_;
  metrics::HostStats host_stats_;
};

core::Status LiveDaemon::Init() {
  // Signals first: every thread started later (the HTTP server, the store's checkpointer)
  // inherits the blocked mask, so they all arrive on the loop's signalfd.
  EBB_RETURN_IF_ERROR(loop_.HandleSignal(SIGTERM, [this] { Shutdown(); }));
  EBB_RETURN_IF_ERROR(loop_.HandleSignal(SIGINT, [this] { Shutdown(); }));
  EBB_RETURN_IF_ERROR(loop_.HandleSignal(SIGHUP, [this] { Reload(); }));
  const std::size_t n = config_.nodes.size();
  cost_ = metrics::CostMeter({.c1 = config_.cost_c1, .c2 = config_.cost_c2});
  // The port first: a start that fails here has created nothing (no state file, no run folder).
  EBB_RETURN_IF_ERROR(StartHttp());

  lb::haproxy::HaproxyLoadBalancerOptions lb_options;
  lb_options.addresses = config_.haproxy_sockets;
  lb_options.backend = config_.backend;
  for (const core::NodeSpec& spec : config_.nodes) lb_options.servers.push_back(spec.name);
  lb_options.api.connect_timeout =
      std::chrono::milliseconds(static_cast<int>(config_.connect_timeout_s * 1000));
  lb_options.api.read_timeout =
      std::chrono::milliseconds(static_cast<int>(config_.read_timeout_s * 1000));
  auto haproxy = lb::haproxy::HaproxyLoadBalancer::Create(loop_, lb_options);
  if (!haproxy.ok()) return haproxy.status().WithContext(config_.source);
  haproxy_ = std::move(*haproxy);
  EBB_RETURN_IF_ERROR(haproxy_->CheckServersExist().WithContext(config_.source));
  lb_ = haproxy_.get();
  if (options_.dry_run) {
    dry_lb_ = std::make_unique<DryRunLoadBalancer>(*haproxy_);
    lb_ = dry_lb_.get();
  }

  auto driver = power::MakePowerDriver(config_.power, loop_);
  if (!driver.ok()) return driver.status().WithContext(config_.source);
  driver_ = std::move(*driver);
  if (options_.dry_run) {
    driver_ = std::make_unique<power::DryRunPowerDriver>(
        loop_, std::move(driver_),
        // The driver's line is "dry run: power off web3: <command>": say "dry run" once.
        [](std::string_view line) {
          spdlog::info("dry run: would {}", line.substr(line.find(": ") + 2));
        });
  }

  // A dry run keeps its imagined states apart: a real run must never resume a power-off that
  // only a dry run decided.
  auto store = store::StateStore::Open(options_.dry_run ? config_.state_path + ".dry-run"
                                                        : config_.state_path);
  if (!store.ok()) return store.status();
  store_ = std::move(*store);

  auto made = policy::MakePolicy(config_.policy.policy);
  if (!made.ok()) return made.status().WithContext(config_.source);
  policy_ = std::move(*made);
  controller_ = std::make_unique<control::Controller>(config_.nodes, config_.policy.controller,
                                                      *lb_, *driver_, *policy_, &sink_);

  // Adopt the cluster as it is: the driver's view of every node, and where a previous run left
  // each one (by name: nodes added or removed since are simply new or gone).
  const Seconds now = loop_.Now();
  started_at_ = now;
  auto stored = store_->LoadNodes();
  if (!stored.ok()) return stored.status();
  std::unordered_map<std::string, const store::StoredNode*> by_name;
  for (const store::StoredNode& s : *stored) by_name[s.name] = &s;
  for (std::size_t i = 0; i < n; ++i) {
    const core::NodeSpec& spec = config_.nodes[i];
    const auto id = static_cast<core::NodeId>(i);
    const power::PowerStatus status = driver_->QueryStatus(id, spec);
    const auto it = by_name.find(spec.name);
    if (it != by_name.end()) {
      control::NodeRuntime saved;
      saved.state = it->second->state;
      saved.since = it->second->since;
      saved.deadline = it->second->deadline;
      saved.boots = it->second->boots;
      saved.failures = it->second->failures;
      controller_->Restore(id, saved, status, now);
      spdlog::info("{}: {} in the state store, power {}", spec.name, core::ToString(saved.state),
                   power::ToString(status));
    } else {
      controller_->AdoptPowerStatus(id, status);
    }
  }
  auto last_up = store_->LoadMeta("last_up_at");
  auto last_any = store_->LoadMeta("last_any_at");
  if (last_up.ok() && last_any.ok() && last_up->has_value() && last_any->has_value()) {
    controller_->RestoreCooldowns(std::stod(**last_up), std::stod(**last_any));
  }
  if (auto decisions = store_->RecentDecisions(kRecentDecisions); decisions.ok()) {
    for (auto it = decisions->rbegin(); it != decisions->rend(); ++it) {
      recent_.push_front(it->record);
    }
  }
  saved_nodes_.assign(n, control::NodeRuntime{});
  for (std::size_t i = 0; i < n; ++i) saved_nodes_[i].state = NodeState::kUnknown;

  spdlog::info("ebb run: {} nodes behind backend {} at {}; policy {}, every {} s{}",
               config_.nodes.size(), config_.backend, Join(config_.haproxy_sockets),
               config_.policy.policy.name, config_.policy.controller.interval_s,
               options_.dry_run ? "; DRY RUN: nothing is switched" : "");
  ScheduleTick(now);
  return core::Status::Ok();
}

core::Status LiveDaemon::StartHttp() {
  std::string host;
  int port = 0;
  EBB_RETURN_IF_ERROR(ParseListenAddress("http.listen", config_.http_listen, host, port));
  auto server = HttpServer::Start(host, port, [this](std::string_view path) -> HttpResponse {
    if (path == "/status") {
      return {.content_type = "application/json", .body = RenderStatus(CopySnapshot())};
    }
    if (path == "/metrics") {
      return {.content_type = "text/plain; version=0.0.4",
              .body = RenderDaemonMetrics(CopySnapshot()) + RenderMetrics(loop_.Now())};
    }
    if (path == "/") return {.body = "ebb: /status (JSON), /metrics (Prometheus)\n"};
    return {.status = 404, .body = "not found: /status, /metrics\n"};
  });
  if (!server.ok()) return server.status().WithContext(config_.source);
  http_ = std::move(*server);
  return core::Status::Ok();
}

void LiveDaemon::StopHttp() { http_.reset(); }

void LiveDaemon::ScheduleTick(Seconds at) {
  tick_timer_ = loop_.ScheduleAt(at, [this] { Tick(); });
}

void LiveDaemon::Tick() {
  const Seconds now = loop_.Now();
  controller_->Tick(now);
  std::optional<control::DecisionRecord> decision = sink_.Take();
  if (decision) {
    spdlog::info("decision: {} -> {} serving{}; {}", decision->serving, decision->target,
                 decision->actions.empty() ? "" : " [" + Join(decision->actions) + "]",
                 decision->reason);
    recent_.push_front(*decision);
    if (recent_.size() > kRecentDecisions) recent_.pop_back();
  }
  for (const lb::haproxy::Divergence& d : haproxy_->TakeDivergences()) {
    ++divergences_;
    spdlog::warn("haproxy instances disagree: {}", d.ToString(config_.haproxy_sockets));
  }
  Persist(now, std::move(decision));
  Account(now);
  Publish(now);
  if (controller_->counters().ticks == 1) {
    // Start-up (reading the store, the first tick writing every node) is the only burst of
    // allocations; give what it freed back, so the daemon's resident size is its steady state.
    malloc_trim(0);
  }
  if (!stopping_) {
    // The next tick on the interval's grid: a slow tick delays one tick, not all that follow.
    // After the tick's work: a tick that overran its interval skips the grid points it missed
    // instead of running late ticks back to back.
    const Seconds interval = config_.policy.controller.interval_s;
    const Seconds done = loop_.Now();
    Seconds next = started_at_ + std::ceil((done - started_at_) / interval + 1e-9) * interval;
    if (next <= done) next += interval;
    ScheduleTick(next);
  }
}

void LiveDaemon::Persist(Seconds now, std::optional<control::DecisionRecord> decision) {
  const store::TickWrite write =
      MakeTickWrite(now, config_.nodes, *controller_, saved_nodes_, std::move(decision));
  for (const store::TransitionWrite& t : write.transitions) {
    spdlog::debug("{}: {} -> {} ({})", t.node, core::ToString(t.from), core::ToString(t.to),
                  t.reason);
  }
  const core::Status status = store_->Commit(write);
  if (status.ok()) {
    saved_nodes_ = controller_->nodes();
  } else {
    // Kept in memory and written with the next tick that succeeds; the loop goes on.
    ++store_failures_;
    spdlog::error("state store: {}", status.ToString());
  }
}

// Estimated from the node model: the real cluster has no power meter ebb could read.
double LiveDaemon::NodePowerW(const control::NodeRuntime& node, double utilisation) const {
  const core::PowerModel& p = config_.cluster.power;
  switch (node.state) {
    case NodeState::kDown:
      return p.off_w;
    case NodeState::kBooting:
      return p.boot_w;
    case NodeState::kPoweringOff:
      return p.shutdown_w;
    case NodeState::kBusy:
    case NodeState::kOnline:
      return p.idle_w + (p.busy_w - p.idle_w) * utilisation;
    case NodeState::kDraining:
    case NodeState::kOffline:
    case NodeState::kUnknown:
      return p.idle_w;
  }
  return p.idle_w;
}

void LiveDaemon::Account(Seconds now) {
  const control::TickSummary& tick = controller_->last_tick();
  const auto& nodes = controller_->nodes();
  const double capacity = config_.nodes.empty() ? 1 : config_.nodes.front().capacity_rps;
  const double serving = std::max(1, tick.serving);
  const double utilisation = std::clamp(tick.rate_rps / serving / capacity, 0.0, 1.0);
  double power = 0;
  int sessions = 0;
  for (const control::NodeRuntime& node : nodes) {
    power += NodePowerW(node, utilisation);
    sessions += node.sessions;
  }
  const core::PowerModel& p = config_.cluster.power;
  const double n = static_cast<double>(nodes.size());
  const double always_on =
      n * p.idle_w + (p.busy_w - p.idle_w) * std::min(n, tick.rate_rps / capacity);
  last_power_w_ = power;
  // Samples never go back in time on the loop's clock; an error here would be a clock step.
  if (!power_w_.Add(now, power).ok() || !always_on_power_w_.Add(now, always_on).ok() ||
      !cost_.Sample(now, sessions + tick.queued, tick.powered).ok()) {
    spdlog::warn("the clock went back: energy and cost skip this tick");
  }
}

void LiveDaemon::Publish(Seconds now) {
  std::lock_guard<std::mutex> lock(snapshot_.mutex);
  StatusData& d = snapshot_.data;
  d.now = now;
  d.tick = controller_->last_tick();
  d.counters = controller_->counters();
  d.nodes = controller_->nodes();  // assignments reuse the vectors' storage
  d.why = controller_->why();
  d.decisions = recent_;
  d.store_failures = store_failures_;
  d.reloads = reloads_;
  d.failed_reloads = failed_reloads_;
  d.divergences = divergences_;
  d.power_w = last_power_w_;
  d.energy_kwh = power_w_.IntegralUntil(now) / 3.6e6;
  d.always_on_kwh = always_on_power_w_.IntegralUntil(now) / 3.6e6;
  d.cost_c1 = config_.cost_c1;
  d.cost_c2 = config_.cost_c2;
  d.cost_rate = cost_.empty() ? 0.0 : cost_.rate();
  d.cost_mean = cost_.empty() ? 0.0 : cost_.mean_rate();
  d.cost_total = cost_.TotalUntil(now);
  d.policy = config_.policy.policy.name;
  d.interval_s = config_.policy.controller.interval_s;
}

StatusData LiveDaemon::CopySnapshot() {
  std::lock_guard<std::mutex> lock(snapshot_.mutex);
  return snapshot_.data;
}

std::string LiveDaemon::RenderStatus(const StatusData& d) const {
  const Seconds now = d.now;
  const control::TickSummary& tick = d.tick;
  const control::ControllerCounters& c = d.counters;
  json nodes = json::array();
  for (std::size_t i = 0; i < d.nodes.size(); ++i) {
    const control::NodeRuntime& node = d.nodes[i];
    nodes.push_back({{"name", config_.nodes[i].name},
                     {"state", core::ToString(node.state)},
                     {"since", node.since},
                     {"for_s", now - node.since},
                     {"deadline", std::isfinite(node.deadline) ? json(node.deadline) : json()},
                     {"sessions", node.sessions},
                     {"boots", node.boots},
                     {"failures", node.failures},
                     {"why", d.why[i]}});
  }
  json haproxy = json::array();
  const bool poll_ok = c.poll_failures == 0 || tick.have_rate;
  for (const std::string& address : config_.haproxy_sockets) {
    haproxy.push_back({{"address", address}, {"ok", poll_ok}, {"error", ""}});
  }
  json decisions = json::array();
  for (const control::DecisionRecord& r : d.decisions) decisions.push_back(DecisionJson(r));
  json status = {
      {"version", "0.1.0"},
      {"now", now},
      {"started_at", started_at_},
      {"config", config_.source},
      {"dry_run", options_.dry_run},
      {"policy", d.policy},
      {"interval_s", d.interval_s},
      {"backend", config_.backend},
      {"haproxy", haproxy},
      {"load",
       {{"have_rate", tick.have_rate},
        {"rate_rps", tick.rate_rps},
        {"expected_rps", tick.expected_rps},
        {"target", tick.target},
        {"serving", tick.serving},
        {"powered", tick.powered},
        {"booting", tick.booting},
        {"queued", tick.queued},
        {"data_age_s", now - tick.at}}},
      {"nodes", nodes},
      {"counters",
       {{"ticks", c.ticks},
        {"poll_failures", c.poll_failures},
        {"boots", c.boots},
        {"power_offs", c.power_offs},
        {"drains", c.drains},
        {"readies", c.readies},
        {"boot_failures", c.boot_failures},
        {"command_failures", c.command_failures},
        {"store_failures", d.store_failures},
        {"reloads", d.reloads},
        {"failed_reloads", d.failed_reloads},
        {"haproxy_divergences", d.divergences}}},
      {"energy",
       {{"power_w", d.power_w},
        {"energy_kwh", d.energy_kwh},
        {"always_on_energy_kwh", d.always_on_kwh},
        {"saving_ratio", d.always_on_kwh > 0 ? 1 - d.energy_kwh / d.always_on_kwh : 0.0}}},
      {"cost",
       {{"c1", d.cost_c1},
        {"c2", d.cost_c2},
        {"current", d.cost_rate},
        {"mean", d.cost_mean},
        {"total", d.cost_total}}},
      {"decisions", decisions},
  };
  return status.dump();
}

std::string LiveDaemon::RenderDaemonMetrics(const StatusData& d) const {
  const Seconds now = d.now;
  const control::TickSummary& tick = d.tick;
  const control::ControllerCounters& c = d.counters;
  const auto& runtime = d.nodes;
  metrics::PrometheusText m;
  MetricWriter w{m};
  auto gauge = [&w](std::string_view name, std::string_view help, double value,
                    const metrics::Labels& labels = {}) { w.Gauge(name, help, value, labels); };
  auto counter = [&w](std::string_view name, std::string_view help, std::uint64_t value,
                      const metrics::Labels& labels = {}) { w.Counter(name, help, value, labels); };
  for (NodeState s :
       {NodeState::kUnknown, NodeState::kBusy, NodeState::kOnline, NodeState::kOffline,
        NodeState::kDown, NodeState::kBooting, NodeState::kDraining, NodeState::kPoweringOff}) {
    const auto count = std::count_if(runtime.begin(), runtime.end(),
                                     [s](const control::NodeRuntime& r) { return r.state == s; });
    gauge("ebb_nodes", "Nodes by state.", static_cast<double>(count),
          {{"state", std::string(core::ToString(s))}});
  }
  gauge("ebb_arrival_rate_rps", "Measured arrival rate at the backend.", tick.rate_rps);
  gauge("ebb_forecast_rps", "The load the policy planned for.", tick.expected_rps);
  gauge("ebb_target_nodes", "Serving nodes wanted after the guard.", tick.target);
  gauge("ebb_serving_nodes", "Nodes in rotation.", tick.serving);
  gauge("ebb_powered_nodes", "Nodes drawing more than standby power.", tick.powered);
  gauge("ebb_queued_requests", "Requests in the backend queue.", tick.queued);
  gauge("ebb_data_age_seconds", "Age of the balancer data the last tick used.", now - tick.at);
  gauge("ebb_dry_run", "1 when nothing is switched.", options_.dry_run ? 1 : 0);
  counter("ebb_ticks_total", "Controller ticks.", c.ticks);
  counter("ebb_boots_total", "Power-ons.", c.boots);
  counter("ebb_power_offs_total", "Completed power-offs.", c.power_offs);
  counter("ebb_drains_total", "Drains begun.", c.drains);
  counter("ebb_readies_total", "Nodes put in rotation.", c.readies);
  counter("ebb_boot_failures_total", "Boots that timed out.", c.boot_failures);
  counter("ebb_poll_failures_total", "Failed balancer polls.", c.poll_failures);
  counter("ebb_command_failures_total", "Failed balancer or power commands.", c.command_failures);
  counter("ebb_d.store_failurestotal", "Failed state store commits.", d.store_failures);
  counter("ebb_haproxy_divergences_total", "Servers whose state differed between instances.",
          d.divergences);
  gauge("ebb_power_watts", "Estimated power of the cluster (node model).", d.power_w);
  gauge("ebb_energy_kwh", "Estimated energy since start.", d.energy_kwh);
  gauge("ebb_always_on_energy_kwh", "Estimated energy of the same cluster always on.",
        d.always_on_kwh);
  gauge("ebb_cost_rate", "Running cost C = c1*L + c2*S now.", d.cost_rate);
  gauge("ebb_cost_mean", "Time-weighted mean of C since start.", d.cost_mean);
  gauge("ebb_cost_total", "Integral of C over time since start.", d.cost_total);

  (void)now;
  return m.Render();
}

// The host's own numbers, read when scraped (on the HTTP thread: HostStats is stateless).
std::string LiveDaemon::RenderMetrics(Seconds) const {
  metrics::PrometheusText m;
  MetricWriter w{m};
  auto gauge = [&w](std::string_view name, std::string_view help, double value,
                    const metrics::Labels& labels = {}) { w.Gauge(name, help, value, labels); };
  auto counter = [&w](std::string_view name, std::string_view help, std::uint64_t value,
                      const metrics::Labels& labels = {}) { w.Counter(name, help, value, labels); };
  if (auto cpu = host_stats_.ReadCpu(); cpu.ok()) {
    (void)m.Declare("ebb_host_cpu_seconds_total", metrics::MetricType::kCounter,
                    "CPU time of the host by mode.");
    for (auto [mode, value] : {std::pair<const char*, double>{"user", cpu->all.user},
                               {"nice", cpu->all.nice},
                               {"system", cpu->all.system},
                               {"idle", cpu->all.idle},
                               {"iowait", cpu->all.iowait},
                               {"irq", cpu->all.irq},
                               {"softirq", cpu->all.softirq},
                               {"steal", cpu->all.steal}}) {
      (void)m.Add("ebb_host_cpu_seconds_total", {{"mode", mode}}, value);
    }
  }
  if (auto mem = host_stats_.ReadMemory(); mem.ok()) {
    gauge("ebb_host_memory_total_bytes", "Memory of the host.",
          static_cast<double>(mem->total_bytes));
    gauge("ebb_host_memory_available_bytes", "Memory available without swapping.",
          static_cast<double>(mem->available_bytes));
  }
  if (auto net = host_stats_.ReadNetwork(); net.ok()) {
    for (const metrics::NetInterfaceStats& i : *net) {
      counter("ebb_host_network_receive_bytes_total", "Bytes received per interface.", i.rx_bytes,
              {{"interface", i.name}});
      counter("ebb_host_network_transmit_bytes_total", "Bytes sent per interface.", i.tx_bytes,
              {{"interface", i.name}});
    }
  }
  if (auto load = host_stats_.ReadLoadAverage(); load.ok()) {
    gauge("ebb_host_load1", "Load average over 1 minute.", load->load1);
    gauge("ebb_host_load5", "Load average over 5 minutes.", load->load5);
    gauge("ebb_host_load15", "Load average over 15 minutes.", load->load15);
  }
  if (auto tcp = host_stats_.ReadTcpStates(); tcp.ok()) {
    for (int s = 1; s <= metrics::kTcpStateCount; ++s) {
      const auto state = static_cast<metrics::TcpState>(s);
      gauge("ebb_host_tcp_connections", "TCP sockets of the host by state.",
            static_cast<double>(tcp->by_state[s]),
            {{"state", std::string(metrics::ToString(state))}});
    }
  }
  return m.Render();
}

void LiveDaemon::Reload() {
  spdlog::info("SIGHUP: reloading {}", config_.source);
  core::Result<LiveConfig> loaded = LoadLiveConfig(config_.source, options_.overrides);
  if (!loaded.ok()) {
    ++failed_reloads_;
    spdlog::error("reload failed, keeping the running configuration: {}",
                  loaded.status().message());
    return;
  }
  LiveConfig& next = *loaded;
  std::vector<std::string> restart_needed;
  auto names = [](const std::vector<core::NodeSpec>& nodes) {
    std::vector<std::string> out;
    for (const auto& n : nodes) {
      out.push_back(fmt::format("{}@{}:{} mac {} bmc {} {} rps boot {} s shutdown {} s", n.name,
                                n.host, n.port, n.mac, n.bmc, n.capacity_rps, n.boot_s,
                                n.shutdown_s));
    }
    return out;
  };
  if (names(next.nodes) != names(config_.nodes)) {
    restart_needed.push_back("[[node]] (or the [cluster] model they inherit)");
  }
  if (next.connect_timeout_s != config_.connect_timeout_s ||
      next.read_timeout_s != config_.read_timeout_s) {
    restart_needed.push_back("[haproxy] timeouts");
  }
  if (next.haproxy_sockets != config_.haproxy_sockets || next.backend != config_.backend) {
    restart_needed.push_back("[haproxy]");
  }
  if (next.state_path != config_.state_path) restart_needed.push_back("[state]");
  if (next.http_listen != config_.http_listen) restart_needed.push_back("[http]");
  if (next.power.driver != config_.power.driver || next.power.on != config_.power.on ||
      next.power.off != config_.power.off || next.power.status != config_.power.status ||
      next.power.run_dir != config_.power.run_dir ||
      next.power.timeout_s != config_.power.timeout_s ||
      next.power.stop_timeout_s != config_.power.stop_timeout_s ||
      next.power.wol_address != config_.power.wol_address ||
      next.power.wol_port != config_.power.wol_port) {
    restart_needed.push_back("[power]");
  }
  if (!restart_needed.empty()) {
    ++failed_reloads_;
    spdlog::error(
        "reload refused, keeping the running configuration: {} changed, which needs a "
        "restart",
        Join(restart_needed));
    return;
  }
  auto made = policy::MakePolicy(next.policy.policy);
  if (!made.ok()) {
    ++failed_reloads_;
    spdlog::error("reload failed, keeping the running configuration: {}", made.status().message());
    return;
  }
  // The controller lets go of the old policy before it is destroyed.
  controller_->Reconfigure(next.policy.controller, **made);
  policy_ = std::move(*made);
  if (next.cost_c1 != config_.cost_c1 || next.cost_c2 != config_.cost_c2) {
    // A new cost model: its mean and total start again rather than mix two models.
    cost_ = metrics::CostMeter({.c1 = next.cost_c1, .c2 = next.cost_c2});
    spdlog::info("cost model now c1 = {}, c2 = {}: its mean and total start again", next.cost_c1,
                 next.cost_c2);
  }
  config_.policy = next.policy;
  config_.sla_s = next.sla_s;
  config_.sla_target = next.sla_target;
  config_.cluster.power = next.cluster.power;
  config_.cost_c1 = next.cost_c1;
  config_.cost_c2 = next.cost_c2;
  ++reloads_;
  spdlog::info("reloaded: policy {}, min {} max {} nodes", config_.policy.policy.name,
               config_.policy.controller.guard.min_serving,
               config_.policy.controller.guard.max_serving);
}

void LiveDaemon::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  loop_.Cancel(tick_timer_);
  spdlog::info(
      "stopping: every running node goes back in rotation, powered-off nodes stay in "
      "maint");
  // A running node out of rotation (draining, booting in drain, offline in maint) goes back to
  // ready: no node is left half-way by ebb. HAProxy sends it traffic only once its check is UP.
  const auto& nodes = controller_->nodes();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeState s = nodes[i].state;
    if (s == NodeState::kDraining || s == NodeState::kBooting || s == NodeState::kOffline) {
      const core::Status status = lb_->SetAdminState(config_.nodes[i].name, lb::AdminState::kReady);
      if (status.ok()) {
        spdlog::info("{}: {} -> ready", config_.nodes[i].name, core::ToString(s));
      } else {
        spdlog::error("{}: could not set ready: {}", config_.nodes[i].name, status.ToString());
      }
    }
  }
  // The next start reads every node again from HAProxy and the drivers.
  store::TickWrite write;
  write.at = loop_.Now();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeState s = nodes[i].state;
    if (s == NodeState::kPoweringOff) continue;  // its power-off goes on after a restart
    write.nodes.push_back({.name = config_.nodes[i].name,
                           .state = NodeState::kUnknown,
                           .since = write.at,
                           .boots = nodes[i].boots,
                           .failures = nodes[i].failures});
  }
  if (const core::Status status = store_->Commit(write); !status.ok()) {
    spdlog::error("state store: {}", status.ToString());
  }
  loop_.Stop();
}

core::Status LiveDaemon::Run() {
  EBB_RETURN_IF_ERROR(loop_.Run());
  StopHttp();
  spdlog::info("stopped");
  return core::Status::Ok();
}

}  // namespace

core::Result<std::unique_ptr<Daemon>> Daemon::Start(const std::string& config_path,
                                                    DaemonOptions options,
                                                    core::RealtimeEventLoop& loop) {
  core::Result<LiveConfig> config = LoadLiveConfig(config_path, options.overrides);
  if (!config.ok()) return config.status();
  auto daemon = std::make_unique<LiveDaemon>(std::move(*config), std::move(options), loop);
  EBB_RETURN_IF_ERROR(daemon->Init());
  return std::unique_ptr<Daemon>(std::move(daemon));
}

}  // namespace ebb::daemon
