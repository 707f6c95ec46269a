#include "sim/sim_cluster.h"

#include <algorithm>
#include <bit>

#include "core/check.h"

namespace ebb::sim {

using core::NodeId;
using core::Seconds;

SimCluster::SimCluster(const std::vector<core::NodeSpec>& nodes, const SimClusterOptions& options,
                       const core::Clock& clock)
    : options_(options),
      maxconn_(options.maxconn),
      nodes_(nodes.size()),
      level_head_(static_cast<std::size_t>(options.maxconn) + 1, -1),
      level_tail_(static_cast<std::size_t>(options.maxconn) + 1, -1),
      available_bits_((nodes.size() + 63) / 64, 0),
      clock_(clock) {
  EBB_CHECK(maxconn_ >= 1);
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes_[i].name = nodes[i].name;
    by_name_.emplace(nodes[i].name, static_cast<NodeId>(i));
  }
  const int total = static_cast<int>(nodes.size());
  const int on = options.initially_on < 0 ? total : std::min(options.initially_on, total);
  for (int i = on; i < total; ++i) {
    nodes_[i].power = Power::kOff;
    nodes_[i].admin = lb::AdminState::kMaint;
  }
  count_by_power_[static_cast<int>(Power::kOn)] = on;
  count_by_power_[static_cast<int>(Power::kOff)] = total - on;
  usable_ = on;
  for (std::size_t i = 0; i < nodes.size(); ++i) Relist(static_cast<NodeId>(i));
  energy_at_ = clock.Now();
}

// --- pick structures ---------------------------------------------------------------------

void SimCluster::Unlink(NodeId id) {
  Node& n = nodes_[id];
  if (!n.listed) return;
  const int level = n.active;
  if (n.prev >= 0) {
    nodes_[n.prev].next = n.next;
  } else {
    level_head_[level] = n.next;
  }
  if (n.next >= 0) {
    nodes_[n.next].prev = n.prev;
  } else {
    level_tail_[level] = n.prev;
  }
  n.prev = n.next = -1;
  n.listed = false;
}

void SimCluster::LinkTail(NodeId id) {
  Node& n = nodes_[id];
  const int level = n.active;
  n.prev = level_tail_[level];
  n.next = -1;
  if (n.prev >= 0) {
    nodes_[n.prev].next = id;
  } else {
    level_head_[level] = id;
  }
  level_tail_[level] = id;
  n.listed = true;
  if (level < min_level_) min_level_ = level;
}

void SimCluster::Relist(NodeId id) {
  const Node& n = nodes_[id];
  const bool available = Available(n);
  std::uint64_t& word = available_bits_[static_cast<std::size_t>(id) / 64];
  const std::uint64_t bit = std::uint64_t{1} << (id % 64);
  word = available ? (word | bit) : (word & ~bit);
  if (options_.algorithm == lb::Algorithm::kLeastConn) {
    // HAProxy re-queues a server behind the others with the same load: equal servers rotate.
    Unlink(id);
    if (available) LinkTail(id);
  }
}

NodeId SimCluster::PickServer() {
  switch (options_.algorithm) {
    case lb::Algorithm::kLeastConn: {
      while (min_level_ < maxconn_ && level_head_[min_level_] < 0) ++min_level_;
      if (min_level_ >= maxconn_) return -1;
      return level_head_[min_level_];
    }
    case lb::Algorithm::kFirst: {
      for (std::size_t w = 0; w < available_bits_.size(); ++w) {
        if (available_bits_[w] != 0) {
          return static_cast<NodeId>(w * 64 + std::countr_zero(available_bits_[w]));
        }
      }
      return -1;
    }
    case lb::Algorithm::kRoundRobin: {
      // The next available node after the one picked last, wrapping around.
      const std::size_t n = nodes_.size();
      const std::size_t words = available_bits_.size();
      std::size_t start = rr_cursor_ % n;
      for (std::size_t step = 0; step <= words; ++step) {
        const std::size_t w = (start / 64 + step) % words;
        std::uint64_t bits = available_bits_[w];
        if (step == 0) bits &= ~std::uint64_t{0} << (start % 64);
        if (bits != 0) {
          const NodeId id = static_cast<NodeId>(w * 64 + std::countr_zero(bits));
          rr_cursor_ = static_cast<std::size_t>(id) + 1;
          return id;
        }
      }
      return -1;
    }
  }
  return -1;
}

// --- requests ----------------------------------------------------------------------------

void SimCluster::RecordLatency(double seconds) {
  ++counters_.completed;
  if (seconds <= options_.sla_s) ++counters_.sla_ok;
  latencies_.Add(seconds);
  if (options_.keep_interval_latencies) interval_latencies_.push_back(seconds);
}

void SimCluster::Dispatch(NodeId id, Seconds now, double arrived, double service_s) {
  Node& n = nodes_[id];
  if (options_.algorithm == lb::Algorithm::kLeastConn) Unlink(id);
  ++n.active;
  ++total_active_;
  Relist(id);
  departures_.push_back(Departure{now + service_s, arrived, id, n.epoch});
  std::push_heap(departures_.begin(), departures_.end(), Later{});
}

void SimCluster::Arrive(Seconds now, double service_s) {
  AccrueEnergy(now);
  ++counters_.arrivals;
  if (usable_ == 0) {
    // HAProxy answers 503 at once when no server of the backend is usable.
    ++counters_.rejected;
    return;
  }
  const NodeId id = queue_.empty() ? PickServer() : -1;
  if (id < 0) {
    queue_.push_back(Queued{now, service_s});
    return;
  }
  Dispatch(id, now, now, service_s);
}

void SimCluster::Depart() {
  std::pop_heap(departures_.begin(), departures_.end(), Later{});
  const Departure d = departures_.back();
  departures_.pop_back();
  Node& n = nodes_[d.node];
  if (d.epoch != n.epoch) return;  // aborted by a power-off, already counted
  AccrueEnergy(d.done);
  if (options_.algorithm == lb::Algorithm::kLeastConn) Unlink(d.node);
  --n.active;
  --total_active_;
  Relist(d.node);
  RecordLatency(d.done - d.arrived);
  ServeQueue(d.node, d.done);
}

void SimCluster::ServeQueue(NodeId id, Seconds now) {
  while (!queue_.empty() && Available(nodes_[id])) {
    const Queued q = queue_.front();
    queue_.pop_front();
    if (now - q.arrived > options_.queue_timeout_s) {
      ++counters_.rejected;
      continue;
    }
    Dispatch(id, now, q.arrived, q.service_s);
  }
}

void SimCluster::ExpireQueue(Seconds now) {
  AccrueEnergy(now);  // the queue's integral up to now, before it shrinks
  while (!queue_.empty() && now - queue_.front().arrived > options_.queue_timeout_s) {
    queue_.pop_front();
    ++counters_.rejected;
  }
}

// --- power -------------------------------------------------------------------------------

void SimCluster::AccrueEnergy(Seconds now) {
  const Seconds until = std::min(now, options_.energy_until);
  if (until <= energy_at_) return;
  const double dt = until - energy_at_;
  const core::PowerModel& p = options_.power;
  const double dynamic_w =
      (p.busy_w - p.idle_w) * static_cast<double>(total_active_) / static_cast<double>(maxconn_);
  energy_.Add(CurrentPowerW() * dt);
  dynamic_energy_.Add(dynamic_w * dt);
  counters_.energy_j = energy_.Sum();
  counters_.dynamic_energy_j = dynamic_energy_.Sum();
  counters_.node_downtime_s += count_by_power_[static_cast<int>(Power::kOff)] * dt;
  counters_.job_seconds += static_cast<double>(jobs_in_system()) * dt;
  energy_at_ = until;
}

double SimCluster::CurrentPowerW() const {
  const core::PowerModel& p = options_.power;
  return count_by_power_[static_cast<int>(Power::kOff)] * p.off_w +
         count_by_power_[static_cast<int>(Power::kBooting)] * p.boot_w +
         count_by_power_[static_cast<int>(Power::kOn)] * p.idle_w +
         count_by_power_[static_cast<int>(Power::kShuttingDown)] * p.shutdown_w +
         (p.busy_w - p.idle_w) * static_cast<double>(total_active_) / static_cast<double>(maxconn_);
}

void SimCluster::PowerChanged(Node& n, Power to, Seconds now) {
  AccrueEnergy(now);
  const bool was_usable = Usable(n);
  --count_by_power_[static_cast<int>(n.power)];
  n.power = to;
  ++count_by_power_[static_cast<int>(n.power)];
  usable_ += static_cast<int>(Usable(n)) - static_cast<int>(was_usable);
}

void SimCluster::BeginBoot(NodeId id, Seconds now) {
  Node& n = nodes_[id];
  if (n.power != Power::kOff) return;
  ++counters_.boots;
  PowerChanged(n, Power::kBooting, now);
  Relist(id);
}

void SimCluster::FinishBoot(NodeId id, Seconds now) {
  Node& n = nodes_[id];
  if (n.power != Power::kBooting) return;
  PowerChanged(n, Power::kOn, now);
  Relist(id);
  ServeQueue(id, now);
}

void SimCluster::BeginShutdown(NodeId id, Seconds now) {
  Node& n = nodes_[id];
  if (n.power == Power::kOff || n.power == Power::kShuttingDown) return;
  ++counters_.shutdowns;
  if (options_.algorithm == lb::Algorithm::kLeastConn) Unlink(id);
  // Requests still on the node are lost with it.
  AccrueEnergy(now);
  counters_.aborted += static_cast<std::uint64_t>(n.active);
  total_active_ -= n.active;
  n.active = 0;
  ++n.epoch;
  PowerChanged(n, Power::kShuttingDown, now);
  Relist(id);
}

void SimCluster::FinishShutdown(NodeId id, Seconds now) {
  Node& n = nodes_[id];
  if (n.power != Power::kShuttingDown) return;
  PowerChanged(n, Power::kOff, now);
}

// --- lb::LoadBalancer --------------------------------------------------------------------

core::Status SimCluster::Poll(lb::BackendStats& out) {
  const Seconds now = clock_.Now();
  ExpireQueue(now);
  out.at = now;
  out.requests_total = counters_.arrivals;
  out.queued = static_cast<int>(queue_.size());
  out.servers.resize(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = nodes_[i];
    lb::ServerStats& s = out.servers[i];
    if (s.name != n.name) s.name = n.name;
    s.admin = n.admin;
    // HAProxy checks no server in maint: its health is unknown there, as on a real balancer.
    s.health = n.admin == lb::AdminState::kMaint ? lb::Health::kUnknown
               : n.power == Power::kOn           ? lb::Health::kUp
                                                 : lb::Health::kDown;
    s.sessions = n.active;
  }
  return core::Status::Ok();
}

core::Status SimCluster::SetAdminState(std::string_view server, lb::AdminState state) {
  const auto it = by_name_.find(std::string(server));
  if (it == by_name_.end()) {
    return core::NotFoundError("no server \"" + std::string(server) + "\" in the backend");
  }
  const NodeId id = it->second;
  Node& n = nodes_[id];
  const bool was_usable = Usable(n);
  n.admin = state;
  usable_ += static_cast<int>(Usable(n)) - static_cast<int>(was_usable);
  Relist(id);
  ServeQueue(id, clock_.Now());
  return core::Status::Ok();
}

}  // namespace ebb::sim
