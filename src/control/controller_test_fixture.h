// The controller on virtual time, shared by its tests: fakes for the balancer, the power driver
// and the policy, a periodic tick every interval from t = 0, and one journal of what happened.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "control/controller.h"
#include "core/virtual_event_loop.h"
#include "testing/fake_load_balancer.h"
#include "testing/fake_power_driver.h"
#include "testing/scripted_policy.h"

namespace ebb::control {

class RecordingSink final : public DecisionSink {
 public:
  void Record(const DecisionRecord& record) override { records.push_back(record); }
  std::vector<DecisionRecord> records;
};

// web1..webN: 100 rps each, 10 s to boot, 5 s to shut down.
inline std::vector<core::NodeSpec> Specs(int n) {
  std::vector<core::NodeSpec> specs;
  for (int i = 1; i <= n; ++i) {
    specs.push_back({.name = "web" + std::to_string(i),
                     .host = "10.0.0." + std::to_string(i),
                     .capacity_rps = 100,
                     .boot_s = 10,
                     .shutdown_s = 5});
  }
  return specs;
}

inline ControllerOptions Options(core::Seconds down_cooldown_s = 0) {
  ControllerOptions options;
  options.interval_s = 1;
  options.guard.down_cooldown_s = down_cooldown_s;
  return options;
}

// The controller on virtual time: a periodic timer ticks it every second from t = 0. Before each
// tick the balancer's request counter grows by rate * interval. The fakes and the fixture write
// into one journal, in order: balancer commands ("web2:drain"), power commands ("off web2"), and
// after each tick the state transitions it made ("web2 DRAINING->POWERING_OFF").
class ControllerFixture : public ::testing::Test {
 protected:
  void Build(int n, ControllerOptions options = Options()) {
    std::vector<core::NodeSpec> specs = Specs(n);
    std::vector<std::string> names;
    for (const core::NodeSpec& s : specs) names.push_back(s.name);
    lb_ = std::make_unique<testing::FakeLoadBalancer>(loop_, names);
    lb_->set_journal(&journal_);
    power_.set_journal(&journal_);
    interval_ = options.interval_s;
    controller_ = std::make_unique<Controller>(specs, options, *lb_, power_, policy_, &sink_);
    last_states_.assign(specs.size(), core::NodeState::kUnknown);
    tick_ = [this] {
      if (ticked_) {
        lb_->AddRequests(static_cast<std::uint64_t>(rate_rps_ * interval_));
      }
      ticked_ = true;
      controller_->Tick(loop_.Now());
      RecordTransitions();
      loop_.ScheduleAfter(interval_, tick_);
    };
    loop_.ScheduleAt(0, tick_);
  }

  void RecordTransitions() {
    for (const NodeRuntime& n : controller_->nodes()) {
      if (n.state != last_states_[n.id]) {
        journal_.push_back(controller_->specs()[n.id].name + " " +
                           std::string(core::ToString(last_states_[n.id])) + "->" +
                           std::string(core::ToString(n.state)));
        last_states_[n.id] = n.state;
      }
    }
  }

  // Runs the tick at `t` (and any before it) and returns the journal since the last call.
  std::vector<std::string> RunTo(core::Seconds t) {
    loop_.RunUntil(t);
    std::vector<std::string> out = std::move(journal_);
    journal_.clear();
    return out;
  }

  // The journal written outside ticks (by Restore), taken without running anything.
  std::vector<std::string> TakeJournal() {
    std::vector<std::string> out = std::move(journal_);
    journal_.clear();
    return out;
  }

  core::NodeState State(int index) const { return controller_->nodes()[index].state; }
  const NodeRuntime& Node(int index) const { return controller_->nodes()[index]; }
  const std::string& Why(int index) const { return controller_->why()[index]; }
  std::string States() const {
    std::string out;
    for (const NodeRuntime& n : controller_->nodes()) {
      if (!out.empty()) out += " ";
      out += controller_->specs()[n.id].name + ":" + std::string(core::ToString(n.state));
    }
    return out;
  }
  const std::vector<DecisionRecord>& records() const { return sink_.records; }

  core::VirtualEventLoop loop_;
  std::unique_ptr<testing::FakeLoadBalancer> lb_;
  testing::FakePowerDriver power_;
  testing::ScriptedPolicy policy_;
  RecordingSink sink_;
  std::unique_ptr<Controller> controller_;
  std::vector<std::string> journal_;
  std::vector<core::NodeState> last_states_;
  std::function<void()> tick_;
  bool ticked_ = false;
  double rate_rps_ = 150;
  core::Seconds interval_ = 1;
};

}  // namespace ebb::control
