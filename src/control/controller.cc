#include "control/controller.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "control/node_selector.h"
#include "core/check.h"

namespace ebb::control {

using core::NodeState;
using core::Seconds;

Controller::Controller(std::vector<core::NodeSpec> nodes, ControllerOptions options,
                       lb::LoadBalancer& lb, power::PowerDriver& power, policy::Policy& policy,
                       DecisionSink* sink)
    : specs_(std::move(nodes)),
      options_(options),
      lb_(lb),
      power_(power),
      policy_(&policy),
      sink_(sink),
      history_(std::max<std::size_t>(options.history_samples, 2)) {
  EBB_CHECK(!specs_.empty());
  runtime_.resize(specs_.size());
  adopted_power_.assign(specs_.size(), power::PowerStatus::kUnknown);
  why_.resize(specs_.size());
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    runtime_[i].id = static_cast<core::NodeId>(i);
    mean_capacity_rps_ += specs_[i].capacity_rps / static_cast<double>(specs_.size());
    mean_boot_s_ += specs_[i].boot_s / static_cast<double>(specs_.size());
  }
}

int Controller::Count(bool (*pred)(NodeState)) const {
  return static_cast<int>(std::count_if(runtime_.begin(), runtime_.end(),
                                        [pred](const NodeRuntime& n) { return pred(n.state); }));
}

void Controller::SetState(NodeRuntime& node, NodeState state, Seconds now, Seconds deadline) {
  node.state = state;
  node.since = now;
  node.deadline = deadline;
}

void Controller::Act(core::NodeId id, std::string text, std::vector<std::string>& actions) {
  why_[id] = text;
  actions.push_back(std::move(text));
}

void Controller::Reconfigure(ControllerOptions options, policy::Policy& policy) {
  options.history_samples = options_.history_samples;
  options_ = options;
  policy_ = &policy;
}

void Controller::AdoptPowerStatus(core::NodeId node, power::PowerStatus status) {
  adopted_power_[node] = status;
}

void Controller::RestoreCooldowns(Seconds last_up_at, Seconds last_any_at) {
  last_up_at_ = last_up_at;
  last_any_at_ = last_any_at;
}

void Controller::Restore(core::NodeId id, const NodeRuntime& saved, power::PowerStatus power,
                         Seconds now) {
  NodeRuntime& node = runtime_[id];
  const core::NodeSpec& spec = specs_[id];
  adopted_power_[id] = power;
  node.boots = saved.boots;
  node.failures = saved.failures;
  switch (saved.state) {
    case NodeState::kDraining:
      // The drain goes on: the next tick takes the node out once its sessions are gone.
      SetState(node, NodeState::kDraining, saved.since, saved.deadline);
      why_[id] = "drain of " + spec.name + " resumed after restart";
      break;
    case NodeState::kBooting:
      SetState(node, NodeState::kBooting, saved.since,
               now + options_.boot_timeout_factor * spec.boot_s + options_.interval_s);
      if (power == power::PowerStatus::kOff) {
        // The power-on command was lost with the previous run. The node waits in drain, where
        // the balancer checks it (the previous run may have died before setting it).
        SetAdmin(node, lb::AdminState::kDrain, pending_actions_);
        power_.Start(id, spec, power::PowerAction::kOn);
        ++node.boots;
        ++counters_.boots;
        Act(id, "boot " + spec.name + " (again, after restart)", pending_actions_);
      } else {
        why_[id] = "boot of " + spec.name + " resumed after restart";
      }
      break;
    case NodeState::kPoweringOff:
      if (power == power::PowerStatus::kOff) {
        SetState(node, NodeState::kDown, now);
        why_[id] = "powered off (found off after restart)";
      } else {
        PowerOff(node, now, pending_actions_);
      }
      break;
    default:
      // Stable states are read again from the balancer and the driver on the first poll.
      SetState(node, NodeState::kUnknown, now);
      break;
  }
}

bool Controller::SetAdmin(const NodeRuntime& node, lb::AdminState state,
                          std::vector<std::string>& actions) {
  const core::NodeSpec& spec = specs_[node.id];
  core::Status status = lb_.SetAdminState(spec.name, state);
  if (!status.ok()) {
    ++counters_.command_failures;
    Act(node.id,
        fmt::format("set {} {} failed: {}", spec.name, lb::ToString(state), status.ToString()),
        actions);
    return false;
  }
  return true;
}

// Observe: poll the balancer and add a load sample. Returns false when there is no fresh data.
bool Controller::Observe(std::vector<std::string>& notes) {
  sampled_ = false;
  core::Status status = lb_.Poll(stats_);
  if (status.ok() && stats_.servers.size() != specs_.size()) {
    status = core::InternalError(fmt::format("balancer reported {} servers, expected {}",
                                             stats_.servers.size(), specs_.size()));
  }
  if (!status.ok()) {
    ++counters_.poll_failures;
    notes.push_back("balancer poll failed: " + status.ToString());
    return false;
  }
  if (have_poll_ && stats_.at > last_poll_at_ && stats_.requests_total >= last_requests_total_) {
    const double rate = static_cast<double>(stats_.requests_total - last_requests_total_) /
                        (stats_.at - last_poll_at_);
    history_.Add({.at = stats_.at, .rate_rps = rate});
    sampled_ = true;
  }
  have_poll_ = true;
  last_poll_at_ = stats_.at;
  last_requests_total_ = stats_.requests_total;
  return true;
}

void Controller::Reconcile(Seconds now, std::vector<std::string>& actions) {
  completions_.clear();
  power_.TakeCompletions(completions_);
  for (const power::PowerCompletion& c : completions_) {
    NodeRuntime& node = runtime_[c.node];
    const std::string& name = specs_[c.node].name;
    if (!c.status.ok()) {
      ++counters_.command_failures;
      ++node.failures;
      Act(c.node,
          fmt::format("power {} {} failed: {}", power::ToString(c.action), name,
                      c.status.ToString()),
          actions);
      // A failed power-on leaves the node off (back in maint, where it waited in drain); a
      // failed power-off leaves it in an unknown state that only the health check can settle.
      if (c.action == power::PowerAction::kOn) {
        SetAdmin(node, lb::AdminState::kMaint, actions);
        SetState(node, NodeState::kDown, now);
      } else {
        SetState(node, NodeState::kUnknown, now);
      }
      continue;
    }
    if (c.action == power::PowerAction::kOff && node.state == NodeState::kPoweringOff) {
      SetState(node, NodeState::kDown, now);
      ++counters_.power_offs;
      why_[c.node] = "powered off";
    }
  }

  for (NodeRuntime& node : runtime_) {
    const lb::ServerStats& s = stats_.servers[node.id];
    node.sessions = s.sessions;
    const bool up = s.health == lb::Health::kUp;
    switch (node.state) {
      case NodeState::kUnknown:
        // First sight, or after a fault: believe the balancer, and for a server in maint (which
        // HAProxy does not check) the power driver; a node neither can vouch for counts as off.
        if (up && s.admin == lb::AdminState::kReady) {
          SetState(node, s.sessions > 0 ? NodeState::kBusy : NodeState::kOnline, now);
          why_[node.id] = "found in rotation";
        } else if (up && s.admin == lb::AdminState::kDrain) {
          // Someone (a previous run) began a drain: finish it rather than leave it in drain.
          SetState(node, NodeState::kDraining, now, now + options_.drain_timeout_s);
          why_[node.id] = "found in drain: completing the drain";
        } else if (up || (s.health == lb::Health::kUnknown &&
                          adopted_power_[node.id] == power::PowerStatus::kOn)) {
          SetState(node, NodeState::kOffline, now);
          why_[node.id] = "found running out of rotation";
        } else {
          SetState(node, NodeState::kDown, now);
          why_[node.id] = s.health == lb::Health::kUnknown ? "found in maint, not reported on"
                                                           : "found with its health check down";
        }
        break;
      case NodeState::kBusy:
      case NodeState::kOnline:
        if (!up) {
          ++node.failures;
          Act(node.id, fmt::format("{} failed its health check", specs_[node.id].name), actions);
          SetState(node, NodeState::kUnknown, now);
        } else {
          node.state = s.sessions > 0 ? NodeState::kBusy : NodeState::kOnline;
        }
        break;
      case NodeState::kBooting:
        // Only a settled UP: out of maint, HAProxy shows a server UP until its first check.
        if (up && s.health_settled) {
          BringIntoRotation(node.id, now, actions);
        } else if (now >= node.deadline) {
          ++counters_.boot_failures;
          ++node.failures;
          Act(node.id, fmt::format("boot of {} timed out", specs_[node.id].name), actions);
          // Out of drain before power-off: an off node waits in maint.
          SetAdmin(node, lb::AdminState::kMaint, actions);
          PowerOff(node, now, actions);
        }
        break;
      case NodeState::kDraining:
        if (s.sessions == 0 || now >= node.deadline) {
          if (SetAdmin(node, lb::AdminState::kMaint, actions)) {
            ++counters_.drains_completed;
            counters_.drain_seconds += now - node.since;
            SetState(node, NodeState::kOffline, now);
            PowerOff(node, now, actions);
          }
        }
        break;
      case NodeState::kPoweringOff:
        if (now >= node.deadline) {
          ++node.failures;
          Act(node.id, fmt::format("power-off of {} timed out", specs_[node.id].name), actions);
          SetState(node, NodeState::kUnknown, now);
        }
        break;
      case NodeState::kOffline:
      case NodeState::kDown:
        break;
    }
  }
}

void Controller::BringIntoRotation(core::NodeId id, Seconds now,
                                   std::vector<std::string>& actions) {
  NodeRuntime& node = runtime_[id];
  const core::NodeSpec& spec = specs_[id];
  switch (node.state) {
    case NodeState::kDraining:
    case NodeState::kBooting:
      // Both are checked by the balancer (a booting node waits in drain): their health is known.
      if (SetAdmin(node, lb::AdminState::kReady, actions)) {
        Act(id, "ready " + spec.name, actions);
        ++counters_.readies;
        SetState(node, NodeState::kOnline, now);
      }
      break;
    case NodeState::kOffline:
      // A server in maint has no health check: it waits in drain (checked, no new traffic) until
      // its check is UP, like a booting node, and only then goes ready.
      if (SetAdmin(node, lb::AdminState::kDrain, actions)) {
        Act(id, "check " + spec.name + " (drain until its health check is UP)", actions);
        SetState(node, NodeState::kBooting, now,
                 now + options_.check_timeout_s + options_.interval_s);
      }
      break;
    case NodeState::kDown: {
      // Drain before power-on, so that the balancer checks the node as soon as it answers.
      if (!SetAdmin(node, lb::AdminState::kDrain, actions)) break;
      power_.Start(id, spec, power::PowerAction::kOn);
      ++node.boots;
      ++counters_.boots;
      Act(id, "boot " + spec.name, actions);
      const Seconds deadline =
          now + options_.boot_timeout_factor * spec.boot_s + options_.interval_s;
      SetState(node, NodeState::kBooting, now, deadline);
      break;
    }
    default:
      break;
  }
}

void Controller::Drain(core::NodeId id, Seconds now, std::vector<std::string>& actions) {
  NodeRuntime& node = runtime_[id];
  if (!SetAdmin(node, lb::AdminState::kDrain, actions)) return;
  ++counters_.drains;
  Act(id, "drain " + specs_[id].name, actions);
  SetState(node, NodeState::kDraining, now, now + options_.drain_timeout_s);
}

void Controller::PowerOff(NodeRuntime& node, Seconds now, std::vector<std::string>& actions) {
  const core::NodeSpec& spec = specs_[node.id];
  power_.Start(node.id, spec, power::PowerAction::kOff);
  Act(node.id, "power off " + spec.name, actions);
  SetState(node, NodeState::kPoweringOff, now,
           now + std::max(options_.power_off_timeout_s, 2 * spec.shutdown_s));
}

void Controller::Tick(Seconds now) {
  ++counters_.ticks;
  std::vector<std::string> actions = std::move(pending_actions_);
  pending_actions_.clear();
  std::vector<std::string> notes;
  const bool fresh = Observe(notes);
  if (fresh) Reconcile(now, actions);

  const int serving = Count(core::IsServing);
  const int booting = Count([](NodeState s) { return s == NodeState::kBooting; });

  summary_.at = now;
  // Not "the newest sample is as old as this answer": an answer no newer than the last poll
  // (a balancer that answered twice within its clock's resolution) adds no sample.
  summary_.have_rate = sampled_;
  summary_.rate_rps = history_.empty() ? 0 : history_.Latest().rate_rps;
  summary_.queued = fresh ? stats_.queued : summary_.queued;

  std::string guard_note;
  DecisionRecord record;
  record.at = now;
  record.policy = std::string(policy_->Name());
  record.rate_rps = summary_.rate_rps;
  record.serving = serving;
  record.booting = booting;

  if (!fresh || history_.empty()) {
    // Never act on missing data. After a failed poll nothing was reconciled either: power
    // completions and deadlines wait for the next successful poll.
    record.target = record.policy_target = serving + booting;
    record.reason = notes.empty() ? "no load sample yet" : notes.front();
  } else {
    int jobs = stats_.queued;
    for (const lb::ServerStats& server : stats_.servers) jobs += server.sessions;
    const policy::PolicyInput input{
        .now = now,
        .interval_s = options_.interval_s,
        .serving_nodes = serving,
        .booting_nodes = booting,
        .total_nodes = static_cast<int>(specs_.size()),
        .node_capacity_rps = mean_capacity_rps_,
        .boot_s = mean_boot_s_,
        .history = &history_,
        .jobs_in_system = jobs,
        .model = options_.model,
    };
    policy::Decision decision = policy_->Decide(input);
    const GuardVerdict verdict =
        ApplyGuard(options_.guard, {
                                       .now = now,
                                       .policy_target = decision.target_serving,
                                       .serving = serving,
                                       .coming = booting,
                                       .total_nodes = input.total_nodes,
                                       .data_age_s = now - stats_.at,
                                       .last_up_at = last_up_at_,
                                       .last_any_at = last_any_at_,
                                   });
    record.expected_rps = decision.expected_rps;
    record.policy_target = decision.target_serving;
    record.target = verdict.target;
    record.reason = decision.reason;
    if (!verdict.note.empty()) record.reason += "; guard: " + verdict.note;
    guard_note = verdict.note;

    // Cooldowns start only when a node was picked: a wish no node can carry out (all the others
    // booting or powering off) must not hold back later scale actions.
    if (verdict.add > 0) {
      const std::vector<core::NodeId> picked = PickToAdd(runtime_, verdict.add);
      for (core::NodeId id : picked) BringIntoRotation(id, now, actions);
      if (!picked.empty()) last_up_at_ = last_any_at_ = now;
    } else if (verdict.remove > 0) {
      // The last healthy node never leaves: the guard keeps min_serving >= 1.
      const std::vector<core::NodeId> picked =
          PickToDrain(runtime_, verdict.remove, DrainOrderFor(options_.balance));
      for (core::NodeId id : picked) Drain(id, now, actions);
      if (!picked.empty()) last_any_at_ = now;
    }
    summary_.expected_rps = decision.expected_rps;
  }
  summary_.target = record.target;
  summary_.serving = Count(core::IsServing);
  summary_.powered = Count(core::IsPowered);
  summary_.booting = Count([](NodeState s) { return s == NodeState::kBooting; });

  if (sink_ != nullptr) {
    // Log every tick that acted; of the ticks that were held back (by a failed poll, by the
    // guard, or by a target no node could carry out), the first of each kind. A target between
    // the serving nodes and those plus the booting ones is not held back: it waits for the boots.
    std::string held_note;
    if (actions.empty()) {
      if (!fresh) {
        held_note = record.reason;
      } else if (record.target > serving + booting) {
        held_note = guard_note.empty() ? "no node can be brought into rotation" : guard_note;
      } else if (record.target < serving) {
        held_note = guard_note.empty() ? "no node can be drained" : guard_note;
      }
    }
    const bool held = !held_note.empty();
    if (!actions.empty() || (held && held_note != last_held_note_)) {
      record.actions = std::move(actions);
      sink_->Record(record);
    }
    last_held_note_ = held_note;
  }
}

}  // namespace ebb::control
