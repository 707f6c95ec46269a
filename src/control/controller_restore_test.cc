// The controller after a restart, on virtual time with the shared fakes: what a previous run left
// in the state store (Restore), what the power driver reports of each node (AdoptPowerStatus),
// the cooldowns that survive (RestoreCooldowns), and how servers found half-way in HAProxy
// (maint with no health check, UP in drain, running out of rotation) are settled.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "control/controller.h"
#include "control/controller_test_fixture.h"
#include "core/virtual_event_loop.h"
#include "testing/fake_load_balancer.h"
#include "testing/fake_power_driver.h"
#include "testing/scripted_policy.h"

namespace ebb::control {
namespace {

using core::NodeState;
using core::Seconds;
using power::PowerAction;
using power::PowerStatus;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

NodeRuntime Saved(NodeState state, Seconds since,
                  Seconds deadline = std::numeric_limits<double>::infinity()) {
  NodeRuntime saved;
  saved.state = state;
  saved.since = since;
  saved.deadline = deadline;
  return saved;
}

// A restarted daemon: the controller is built, the test restores or adopts nodes as the daemon's
// start-up would (at t = 0, before the first tick), then a periodic timer ticks it every second.
// One journal holds, in order, the balancer's commands ("web3:maint"), the power commands
// ("off web3") and after each tick the transitions it made ("web3 DRAINING->POWERING_OFF").
class ControllerRestoreTest : public ControllerFixture {
 protected:
  // A server in maint: HAProxy runs no check there, so its health is unknown.
  void SetMaint(std::string_view name) {
    lb_->SetAdmin(name, lb::AdminState::kMaint);
    lb_->SetHealth(name, lb::Health::kUnknown);
    lb_->SetSessions(name, 0);
  }
};

TEST_F(ControllerRestoreTest, RestoredDrainWaitsForSessionsThenPowersOff) {
  Build(3);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 1);
  lb_->SetServing("web3", 2);
  lb_->SetAdmin("web3", lb::AdminState::kDrain);
  policy_.Set(2, "two");
  NodeRuntime saved = Saved(NodeState::kDraining, -10, 50);
  saved.boots = 3;
  saved.failures = 1;
  controller_->Restore(2, saved, PowerStatus::kOn, 0);
  EXPECT_THAT(TakeJournal(), IsEmpty());  // nothing is sent before the first poll
  EXPECT_EQ(State(2), NodeState::kDraining);
  EXPECT_EQ(Node(2).since, -10);
  EXPECT_EQ(Node(2).deadline, 50);  // the drain's own deadline, not a fresh one
  EXPECT_EQ(Node(2).boots, 3u);
  EXPECT_EQ(Node(2).failures, 1u);
  EXPECT_EQ(Why(2), "drain of web3 resumed after restart");

  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BUSY", "web3 UNKNOWN->DRAINING"));
  // Two sessions left: it waits, and the policy's two serving nodes need nothing else.
  EXPECT_THAT(RunTo(4), IsEmpty());
  EXPECT_EQ(Node(2).sessions, 2);

  lb_->SetSessions("web3", 0);
  EXPECT_THAT(RunTo(5), ElementsAre("web3:maint", "off web3", "web3 DRAINING->POWERING_OFF"));
  SetMaint("web3");
  ASSERT_TRUE(power_.Complete(2, PowerAction::kOff));
  EXPECT_THAT(RunTo(6), ElementsAre("web3 POWERING_OFF->DOWN"));
  EXPECT_EQ(controller_->counters().power_offs, 1u);
  EXPECT_EQ(controller_->counters().drains, 0u);  // begun by the previous run
  ASSERT_EQ(records().size(), 1u);
  EXPECT_THAT(records()[0].actions, ElementsAre("power off web3"));
}

TEST_F(ControllerRestoreTest, RestoredDrainKeepsItsDeadline) {
  Build(2);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 4);
  lb_->SetAdmin("web2", lb::AdminState::kDrain);
  policy_.Set(1, "one");
  controller_->Restore(1, Saved(NodeState::kDraining, -55, 5), PowerStatus::kOn, 0);
  EXPECT_THAT(RunTo(4), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->DRAINING"));
  // Its sessions never end; the deadline the previous run set takes it out.
  EXPECT_THAT(RunTo(5), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
}

TEST_F(ControllerRestoreTest, PowerOffStillReportedOnIsSentAgainAndCompletes) {
  Build(2);
  lb_->SetServing("web1", 1);
  SetMaint("web2");
  policy_.Set(1, "one");
  NodeRuntime saved = Saved(NodeState::kPoweringOff, -4, 296);
  saved.failures = 2;
  controller_->Restore(1, saved, PowerStatus::kOn, 0);
  // At once, not at the next tick: the command was lost with the previous run.
  EXPECT_THAT(TakeJournal(), ElementsAre("off web2"));
  EXPECT_EQ(State(1), NodeState::kPoweringOff);
  EXPECT_EQ(Node(1).deadline, 0 + 300);  // a fresh deadline for the command sent now
  EXPECT_EQ(Node(1).failures, 2u);
  EXPECT_EQ(Why(1), "power off web2");

  EXPECT_THAT(RunTo(0), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->POWERING_OFF"));
  // The first tick records what Restore did.
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].at, 0);
  EXPECT_THAT(records()[0].actions, ElementsAre("power off web2"));
  EXPECT_THAT(RunTo(3), IsEmpty());

  ASSERT_TRUE(power_.Complete(1, PowerAction::kOff));
  EXPECT_THAT(RunTo(4), ElementsAre("web2 POWERING_OFF->DOWN"));
  EXPECT_EQ(controller_->counters().power_offs, 1u);
  EXPECT_THAT(lb_->admin_commands(), IsEmpty());
  EXPECT_THAT(power_.commands(), ElementsAre("off web2"));
}

TEST_F(ControllerRestoreTest, PowerOffWithUnknownPowerIsSentAgain) {
  Build(2);
  lb_->SetServing("web1");
  SetMaint("web2");
  controller_->Restore(1, Saved(NodeState::kPoweringOff, -4, 296), PowerStatus::kUnknown, 0);
  EXPECT_THAT(TakeJournal(), ElementsAre("off web2"));
  EXPECT_EQ(State(1), NodeState::kPoweringOff);
}

TEST_F(ControllerRestoreTest, PowerOffReportedOffIsDown) {
  Build(2);
  lb_->SetServing("web1");
  SetMaint("web2");
  policy_.Set(1, "one");
  controller_->Restore(1, Saved(NodeState::kPoweringOff, -4, 296), PowerStatus::kOff, 0);
  EXPECT_THAT(TakeJournal(), IsEmpty());
  EXPECT_EQ(State(1), NodeState::kDown);
  EXPECT_EQ(Why(1), "powered off (found off after restart)");
  EXPECT_THAT(RunTo(5), ElementsAre("web1 UNKNOWN->ONLINE", "web2 UNKNOWN->DOWN"));
  EXPECT_THAT(power_.commands(), IsEmpty());
  EXPECT_THAT(records(), IsEmpty());
}

TEST_F(ControllerRestoreTest, BootReportedOffIsSentAgainAndReadiedOnceHealthy) {
  Build(3);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 1);
  lb_->SetAdmin("web3", lb::AdminState::kDrain);  // a booting node waits in drain
  lb_->SetHealth("web3", lb::Health::kDown);
  policy_.Set(3, "three");
  NodeRuntime saved = Saved(NodeState::kBooting, -3, 28);
  saved.boots = 4;
  controller_->Restore(2, saved, PowerStatus::kOff, 0);
  // Drain first (the server is checked there), then the power-on again, counted as a boot.
  EXPECT_THAT(TakeJournal(), ElementsAre("web3:drain", "on web3"));
  EXPECT_EQ(State(2), NodeState::kBooting);
  EXPECT_EQ(Node(2).since, -3);
  EXPECT_EQ(Node(2).deadline, 0 + 3 * 10 + 1);  // a fresh boot deadline from now
  EXPECT_EQ(Node(2).boots, 5u);

  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BUSY", "web3 UNKNOWN->BOOTING"));
  ASSERT_EQ(records().size(), 1u);
  EXPECT_THAT(records()[0].actions, ElementsAre("boot web3 (again, after restart)"));
  // Booting counts toward the target: nothing else is started while it boots.
  EXPECT_THAT(RunTo(5), IsEmpty());

  ASSERT_TRUE(power_.Complete(2, PowerAction::kOn));
  lb_->SetHealth("web3", lb::Health::kUp);
  EXPECT_THAT(RunTo(6), ElementsAre("web3:ready", "web3 BOOTING->ONLINE"));
  EXPECT_THAT(power_.commands(), ElementsAre("on web3"));
  EXPECT_EQ(controller_->counters().readies, 1u);
}

TEST_F(ControllerRestoreTest, BootReportedOnWaitsForItsCheckWithoutANewCommand) {
  Build(2);
  lb_->SetServing("web1", 1);
  lb_->SetAdmin("web2", lb::AdminState::kDrain);
  lb_->SetHealth("web2", lb::Health::kDown);
  policy_.Set(2, "two");
  controller_->Restore(1, Saved(NodeState::kBooting, -3, 28), PowerStatus::kOn, 0);
  EXPECT_THAT(TakeJournal(), IsEmpty());
  EXPECT_EQ(Why(1), "boot of web2 resumed after restart");
  EXPECT_THAT(RunTo(3), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BOOTING"));
  lb_->SetHealth("web2", lb::Health::kUp);
  EXPECT_THAT(RunTo(4), ElementsAre("web2:ready", "web2 BOOTING->ONLINE"));
  EXPECT_THAT(power_.commands(), IsEmpty());
}

TEST_F(ControllerRestoreTest, RestoredBootThatNeverComesUpTimesOut) {
  Build(2);
  lb_->SetServing("web1", 1);
  lb_->SetAdmin("web2", lb::AdminState::kDrain);
  lb_->SetHealth("web2", lb::Health::kDown);
  policy_.Set(2, "two");
  controller_->Restore(1, Saved(NodeState::kBooting, -3, 28), PowerStatus::kOn, 0);
  EXPECT_THAT(RunTo(30), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BOOTING"));
  EXPECT_THAT(RunTo(31), ElementsAre("web2:maint", "off web2", "web2 BOOTING->POWERING_OFF"));
  EXPECT_EQ(controller_->counters().boot_failures, 1u);
  EXPECT_EQ(Node(1).failures, 1u);
}

TEST_F(ControllerRestoreTest, StableStatesAreReadAgainFromTheBalancer) {
  Build(3);
  lb_->SetServing("web1", 2);
  lb_->SetOff("web2");
  lb_->SetServing("web3", 0);
  policy_.Set(2, "two");
  // The store says ONLINE, BUSY and DOWN; HAProxy says otherwise, and HAProxy is believed.
  controller_->Restore(0, Saved(NodeState::kOnline, -100), PowerStatus::kOn, 0);
  controller_->Restore(1, Saved(NodeState::kBusy, -100), PowerStatus::kOff, 0);
  controller_->Restore(2, Saved(NodeState::kDown, -100), PowerStatus::kOn, 0);
  EXPECT_THAT(TakeJournal(), IsEmpty());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(State(i), NodeState::kUnknown) << i;
  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->DOWN", "web3 UNKNOWN->ONLINE"));
}

struct MaintRow {
  PowerStatus power;
  NodeState expected;
  const char* why;
};

TEST_F(ControllerRestoreTest, ServerInMaintIsSettledByThePowerDriver) {
  for (const MaintRow& row :
       {MaintRow{PowerStatus::kOn, NodeState::kOffline, "found running out of rotation"},
        MaintRow{PowerStatus::kOff, NodeState::kDown, "found in maint, not reported on"},
        MaintRow{PowerStatus::kUnknown, NodeState::kDown, "found in maint, not reported on"}}) {
    SCOPED_TRACE(std::string(power::ToString(row.power)));
    core::VirtualEventLoop loop;
    testing::FakeLoadBalancer lb(loop, {"web1", "web2"});
    testing::FakePowerDriver power;
    lb.SetServing("web1", 1);
    lb.SetAdmin("web2", lb::AdminState::kMaint);
    lb.SetHealth("web2", lb::Health::kUnknown);
    policy_.Set(1, "one");
    Controller controller(Specs(2), Options(), lb, power, policy_, &sink_);
    controller.AdoptPowerStatus(0, PowerStatus::kUnknown);
    controller.AdoptPowerStatus(1, row.power);
    controller.Tick(0);
    EXPECT_EQ(controller.nodes()[0].state, NodeState::kBusy);
    EXPECT_EQ(controller.nodes()[1].state, row.expected);
    EXPECT_EQ(controller.why()[1], row.why);
    EXPECT_THAT(lb.admin_commands(), IsEmpty());
    EXPECT_THAT(power.commands(), IsEmpty());
  }
}

TEST_F(ControllerRestoreTest, ServerInMaintWithItsCheckUpIsOfflineWhateverTheDriverSays) {
  Build(2);
  lb_->SetServing("web1");
  lb_->SetServing("web2");
  lb_->SetAdmin("web2", lb::AdminState::kMaint);  // checked before it went to maint
  controller_->AdoptPowerStatus(1, PowerStatus::kOff);
  EXPECT_THAT(RunTo(0), ElementsAre("web1 UNKNOWN->ONLINE", "web2 UNKNOWN->OFFLINE"));
}

TEST_F(ControllerRestoreTest, ServerFoundUpInDrainIsDrainedToTheEnd) {
  ControllerOptions options = Options();
  options.drain_timeout_s = 20;
  Build(3, options);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 1);
  lb_->SetServing("web3", 3);
  lb_->SetAdmin("web3", lb::AdminState::kDrain);
  policy_.Set(2, "two");
  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BUSY", "web3 UNKNOWN->DRAINING"));
  EXPECT_EQ(Why(2), "found in drain: completing the drain");
  EXPECT_EQ(Node(2).deadline, 0 + 20);
  EXPECT_THAT(RunTo(3), IsEmpty());

  lb_->SetSessions("web3", 0);
  EXPECT_THAT(RunTo(4), ElementsAre("web3:maint", "off web3", "web3 DRAINING->POWERING_OFF"));
  SetMaint("web3");
  ASSERT_TRUE(power_.Complete(2, PowerAction::kOff));
  EXPECT_THAT(RunTo(5), ElementsAre("web3 POWERING_OFF->DOWN"));
  EXPECT_EQ(controller_->counters().power_offs, 1u);
}

TEST_F(ControllerRestoreTest, ServerFoundInDrainIsTakenOutAtTheDrainDeadline) {
  ControllerOptions options = Options();
  options.drain_timeout_s = 20;
  Build(2, options);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 3);
  lb_->SetAdmin("web2", lb::AdminState::kDrain);
  policy_.Set(1, "one");
  EXPECT_THAT(RunTo(19), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->DRAINING"));
  EXPECT_THAT(RunTo(20), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
}

TEST_F(ControllerRestoreTest, OfflineNodeWaitsInDrainForItsCheckThenGoesReady) {
  Build(2);
  lb_->SetServing("web1", 1);
  SetMaint("web2");
  controller_->AdoptPowerStatus(1, PowerStatus::kOn);
  policy_.Set(1, "one");
  EXPECT_THAT(RunTo(0), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->OFFLINE"));

  // Brought into rotation: no power command (it runs), drain first so HAProxy checks it.
  policy_.Set(2, "two");
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 OFFLINE->BOOTING"));
  EXPECT_EQ(Node(1).deadline, 1 + 30 + 1);  // check_timeout_s + one interval
  ASSERT_EQ(records().size(), 1u);
  EXPECT_THAT(records()[0].actions, ElementsAre("check web2 (drain until its health check is UP)"));
  // Checked, not UP yet: it stays out of rotation.
  lb_->SetHealth("web2", lb::Health::kDown);
  EXPECT_THAT(RunTo(3), IsEmpty());

  lb_->SetHealth("web2", lb::Health::kUp);
  EXPECT_THAT(RunTo(4), ElementsAre("web2:ready", "web2 BOOTING->ONLINE"));
  EXPECT_EQ(lb_->server("web2").admin, lb::AdminState::kReady);
  EXPECT_THAT(power_.commands(), IsEmpty());
  EXPECT_EQ(controller_->counters().boots, 0u);
  EXPECT_EQ(controller_->counters().readies, 1u);
  EXPECT_EQ(Node(1).boots, 0u);
}

TEST_F(ControllerRestoreTest, OfflineNodeWhoseCheckNeverComesUpTimesOut) {
  ControllerOptions options = Options();
  options.check_timeout_s = 10;
  Build(2, options);
  lb_->SetServing("web1", 1);
  SetMaint("web2");
  controller_->AdoptPowerStatus(1, PowerStatus::kOn);
  policy_.Set(2, "two");
  EXPECT_THAT(RunTo(0), ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->OFFLINE"));
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 OFFLINE->BOOTING"));
  lb_->SetHealth("web2", lb::Health::kDown);
  // Deadline: 1 + 10 + 1.
  EXPECT_THAT(RunTo(11), IsEmpty());
  EXPECT_THAT(RunTo(12), ElementsAre("web2:maint", "off web2", "web2 BOOTING->POWERING_OFF"));
  EXPECT_EQ(controller_->counters().boot_failures, 1u);
  EXPECT_EQ(Node(1).failures, 1u);
  ASSERT_EQ(records().size(), 2u);
  EXPECT_THAT(records()[1].actions, ElementsAre("boot of web2 timed out", "power off web2"));
}

TEST_F(ControllerRestoreTest, RestoredDownCooldownHoldsTheFirstScaleDown) {
  ControllerOptions options = Options();
  options.guard.down_cooldown_s = 30;
  Build(3, options);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 0);
  lb_->SetServing("web3", 1);
  policy_.Set(2, "two");
  // The previous run last acted 10 s before this one started.
  controller_->RestoreCooldowns(-20, -10);
  EXPECT_EQ(controller_->last_up_at(), -20);
  EXPECT_EQ(controller_->last_any_at(), -10);
  RunTo(0);
  EXPECT_THAT(RunTo(19), IsEmpty());
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].reason, "two; guard: scale-down held: down cooldown 30s");
  EXPECT_THAT(RunTo(20), ElementsAre("web2:drain", "web2 ONLINE->DRAINING"));
  EXPECT_EQ(controller_->last_any_at(), 20);
  EXPECT_EQ(controller_->last_up_at(), -20);
}

TEST_F(ControllerRestoreTest, RestoredUpCooldownHoldsTheFirstScaleUp) {
  ControllerOptions options = Options();
  options.guard.up_cooldown_s = 15;
  Build(2, options);
  lb_->SetServing("web1", 1);
  lb_->SetOff("web2");
  policy_.Set(2, "two");
  controller_->RestoreCooldowns(-5, -5);
  RunTo(0);
  EXPECT_THAT(RunTo(9), IsEmpty());
  ASSERT_FALSE(records().empty());
  EXPECT_EQ(records()[0].reason, "two; guard: scale-up held: up cooldown 15s");
  EXPECT_THAT(RunTo(10), ElementsAre("web2:drain", "on web2", "web2 DOWN->BOOTING"));
  EXPECT_EQ(controller_->last_up_at(), 10);
}

}  // namespace
}  // namespace ebb::control
