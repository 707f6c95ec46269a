#include "control/controller.h"

#include "control/controller_test_fixture.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/virtual_event_loop.h"
#include "testing/fake_load_balancer.h"
#include "testing/fake_power_driver.h"
#include "testing/scripted_policy.h"

namespace ebb::control {
namespace {

using core::NodeState;
using core::Seconds;
using power::PowerAction;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class ControllerTest : public ControllerFixture {};

TEST_F(ControllerTest, FirstTickAdoptsTheBalancerStates) {
  Build(5);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 0);
  lb_->SetOff("web3");
  lb_->SetServing("web4");
  lb_->SetAdmin("web4", lb::AdminState::kMaint);  // running, out of rotation
  lb_->SetServing("web5", 1);
  lb_->SetAdmin("web5", lb::AdminState::kDrain);
  policy_.Set(5, "wants everything");

  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->ONLINE", "web3 UNKNOWN->DOWN",
                          "web4 UNKNOWN->OFFLINE", "web5 UNKNOWN->DRAINING"));
  EXPECT_EQ(policy_.calls(), 0);
  EXPECT_THAT(lb_->admin_commands(), IsEmpty());
  EXPECT_THAT(power_.commands(), IsEmpty());
  EXPECT_THAT(records(), IsEmpty());
  EXPECT_EQ(controller_->counters().ticks, 1u);
  EXPECT_EQ(controller_->last_tick().serving, 2);
  EXPECT_EQ(controller_->last_tick().powered, 4);
  EXPECT_FALSE(controller_->last_tick().have_rate);
}

TEST_F(ControllerTest, NoDecisionWithoutALoadSample) {
  Build(2);
  lb_->SetServing("web1");
  lb_->SetOff("web2");
  policy_.Set(2, "more");
  RunTo(0);
  EXPECT_EQ(policy_.calls(), 0);
  EXPECT_THAT(power_.commands(), IsEmpty());
  EXPECT_EQ(controller_->last_tick().target, 1);  // serving + booting: no change

  // The second poll gives the first rate; the policy decides and the controller acts.
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "on web2", "web2 DOWN->BOOTING"));
  EXPECT_EQ(policy_.calls(), 1);
  ASSERT_TRUE(policy_.last_sample().has_value());
  EXPECT_EQ(policy_.last_sample()->at, 1);
  EXPECT_EQ(policy_.last_sample()->rate_rps, 150);
  EXPECT_TRUE(controller_->last_tick().have_rate);
}

TEST_F(ControllerTest, LoadRateIsRequestsOverPollTime) {
  // Ticks called by hand at uneven times; the balancer's counter is set directly.
  std::vector<core::NodeSpec> specs = Specs(2);
  specs[1].capacity_rps = 200;
  specs[1].boot_s = 30;
  testing::FakeLoadBalancer lb(loop_, {"web1", "web2"});
  lb.SetServing("web1");
  lb.SetServing("web2");
  Controller controller(specs, Options(), lb, power_, policy_, &sink_);
  policy_.Set(2, "keep");

  auto tick_at = [&](Seconds t, std::uint64_t total) {
    loop_.AdvanceTo(t);
    lb.set_requests_total(total);
    controller.Tick(t);
  };
  tick_at(0, 1000);
  EXPECT_TRUE(controller.history().empty());
  tick_at(2, 1300);    // 300 in 2 s
  tick_at(2.5, 1400);  // 100 in 0.5 s
  tick_at(4.5, 1400);  // nothing in 2 s
  ASSERT_EQ(controller.history().size(), 3u);
  EXPECT_EQ(controller.history()[0].at, 2);
  EXPECT_EQ(controller.history()[0].rate_rps, 150);
  EXPECT_EQ(controller.history()[1].at, 2.5);
  EXPECT_EQ(controller.history()[1].rate_rps, 200);
  EXPECT_EQ(controller.history()[2].rate_rps, 0);
  EXPECT_TRUE(controller.last_tick().have_rate);

  // A counter that went back (the balancer restarted) gives no sample, only a new base.
  tick_at(5, 100);
  EXPECT_EQ(controller.history().size(), 3u);
  EXPECT_FALSE(controller.last_tick().have_rate);
  tick_at(6, 400);
  EXPECT_EQ(controller.history().size(), 4u);
  EXPECT_EQ(controller.history().Latest().rate_rps, 300);

  // An answer no newer than the last one gives no sample either, and no rate for the tick.
  lb.set_answer_lag(1);
  tick_at(7, 700);  // answered at 6, like the last poll
  EXPECT_EQ(controller.history().size(), 4u);
  EXPECT_FALSE(controller.last_tick().have_rate);
  EXPECT_EQ(controller.last_tick().rate_rps, 300);  // the last rate known

  ASSERT_TRUE(policy_.last_input().has_value());
  const policy::PolicyInput& in = *policy_.last_input();
  EXPECT_EQ(in.now, 7);
  EXPECT_EQ(in.serving_nodes, 2);
  EXPECT_EQ(in.booting_nodes, 0);
  EXPECT_EQ(in.total_nodes, 2);
  EXPECT_EQ(in.node_capacity_rps, 150);  // the mean of 100 and 200
  EXPECT_EQ(in.boot_s, 20);              // the mean of 10 and 30
  EXPECT_EQ(in.interval_s, 1);
}

TEST_F(ControllerTest, ScaleUpBootsADownNodeAndReadiesItOnceHealthy) {
  Build(3);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 1);
  lb_->SetOff("web3");
  rate_rps_ = 250;
  policy_.Set(3, "load 250 rps needs 3");
  policy_.set_expected_rps(260);

  EXPECT_THAT(RunTo(0),
              ElementsAre("web1 UNKNOWN->BUSY", "web2 UNKNOWN->BUSY", "web3 UNKNOWN->DOWN"));
  EXPECT_THAT(RunTo(1), ElementsAre("web3:drain", "on web3", "web3 DOWN->BOOTING"));
  EXPECT_EQ(controller_->nodes()[2].deadline, 1 + 3 * 10 + 1);
  EXPECT_EQ(controller_->last_tick().booting, 1);
  EXPECT_EQ(controller_->last_tick().powered, 3);

  // Powered on, but not healthy yet: it stays BOOTING and nothing more is started.
  ASSERT_TRUE(power_.Complete(2, PowerAction::kOn));
  EXPECT_THAT(RunTo(5), IsEmpty());
  EXPECT_EQ(State(2), NodeState::kBooting);

  // Out of maint, HAProxy shows the server UP before its first check ("UP 1/3"): not yet.
  lb_->SetHealth("web3", lb::Health::kUp);
  lb_->server("web3").health_settled = false;
  EXPECT_THAT(RunTo(6), IsEmpty());
  lb_->server("web3").health_settled = true;  // its checks passed
  EXPECT_THAT(RunTo(7), ElementsAre("web3:ready", "web3 BOOTING->ONLINE"));
  EXPECT_EQ(lb_->server("web3").admin, lb::AdminState::kReady);
  lb_->SetSessions("web3", 4);
  EXPECT_THAT(RunTo(8), ElementsAre("web3 ONLINE->BUSY"));
  EXPECT_THAT(RunTo(20), IsEmpty());

  EXPECT_THAT(power_.commands(), ElementsAre("on web3"));
  EXPECT_EQ(controller_->counters().boots, 1u);
  EXPECT_EQ(controller_->counters().readies, 1u);
  EXPECT_EQ(controller_->nodes()[2].boots, 1u);

  ASSERT_EQ(records().size(), 2u);
  const DecisionRecord& boot = records()[0];
  EXPECT_EQ(boot.at, 1);
  EXPECT_EQ(boot.policy, "scripted");
  EXPECT_EQ(boot.rate_rps, 250);
  EXPECT_EQ(boot.expected_rps, 260);
  EXPECT_EQ(boot.serving, 2);
  EXPECT_EQ(boot.booting, 0);
  EXPECT_EQ(boot.policy_target, 3);
  EXPECT_EQ(boot.target, 3);
  EXPECT_EQ(boot.reason, "load 250 rps needs 3");
  EXPECT_THAT(boot.actions, ElementsAre("boot web3"));
  const DecisionRecord& ready = records()[1];
  EXPECT_EQ(ready.at, 7);
  EXPECT_EQ(ready.serving, 3);
  EXPECT_THAT(ready.actions, ElementsAre("ready web3"));
}

TEST_F(ControllerTest, ADrainingNodeIsReadmittedBeforeBooting) {
  Build(3);
  lb_->SetServing("web1", 5);
  lb_->SetServing("web2", 3);
  lb_->SetOff("web3");
  policy_.Set(1, "low");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 BUSY->DRAINING"));

  policy_.Set(2, "back up");
  EXPECT_THAT(RunTo(2), ElementsAre("web2:ready", "web2 DRAINING->ONLINE"));
  EXPECT_THAT(RunTo(3), ElementsAre("web2 ONLINE->BUSY"));  // it still has its 3 sessions
  EXPECT_THAT(power_.commands(), IsEmpty());
  EXPECT_EQ(States(), "web1:BUSY web2:BUSY web3:DOWN");
  ASSERT_EQ(records().size(), 2u);
  EXPECT_THAT(records()[1].actions, ElementsAre("ready web2"));
}

TEST_F(ControllerTest, ScaleDownDrainsWaitsForSessionsThenPowersOff) {
  Build(3);
  lb_->SetServing("web1", 4);
  lb_->SetServing("web2", 1);
  lb_->SetServing("web3", 6);
  policy_.Set(2, "two will do");
  RunTo(0);

  // The node with the fewest sessions goes.
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 BUSY->DRAINING"));
  EXPECT_EQ(controller_->nodes()[1].deadline, 1 + 60);
  // It still has a session: wait.
  EXPECT_THAT(RunTo(2), IsEmpty());
  EXPECT_EQ(controller_->nodes()[1].sessions, 1);

  lb_->SetSessions("web2", 0);
  EXPECT_THAT(RunTo(3), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
  EXPECT_EQ(controller_->nodes()[1].deadline, 3 + 300);
  EXPECT_THAT(RunTo(4), IsEmpty());

  lb_->SetOff("web2");
  ASSERT_TRUE(power_.Complete(1, PowerAction::kOff));
  EXPECT_THAT(RunTo(5), ElementsAre("web2 POWERING_OFF->DOWN"));
  EXPECT_THAT(RunTo(10), IsEmpty());

  EXPECT_EQ(States(), "web1:BUSY web2:DOWN web3:BUSY");
  EXPECT_THAT(lb_->admin_commands(), ElementsAre("web2:drain", "web2:maint"));
  EXPECT_THAT(power_.commands(), ElementsAre("off web2"));
  EXPECT_EQ(controller_->counters().drains, 1u);
  EXPECT_EQ(controller_->counters().power_offs, 1u);
  EXPECT_EQ(controller_->last_tick().powered, 2);
  ASSERT_EQ(records().size(), 2u);
  EXPECT_EQ(records()[0].at, 1);
  EXPECT_EQ(records()[0].serving, 3);
  EXPECT_EQ(records()[0].target, 2);
  EXPECT_THAT(records()[0].actions, ElementsAre("drain web2"));
  EXPECT_EQ(records()[1].at, 3);
  EXPECT_THAT(records()[1].actions, ElementsAre("power off web2"));
}

TEST_F(ControllerTest, DrainDeadlineForcesTheNodeOut) {
  ControllerOptions options = Options();
  options.drain_timeout_s = 5;
  Build(2, options);
  lb_->SetServing("web1", 3);
  lb_->SetServing("web2", 1);
  policy_.Set(1, "one");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 BUSY->DRAINING"));
  EXPECT_THAT(RunTo(5), IsEmpty());  // a session never ends
  EXPECT_THAT(RunTo(6), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
}

TEST_F(ControllerTest, BootTimeoutCountsAFailureAndPowersTheNodeOff) {
  Build(4);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 1);
  lb_->SetOff("web3");
  lb_->SetOff("web4");
  policy_.Set(3, "three");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web3:drain", "on web3", "web3 DOWN->BOOTING"));
  // Deadline: 1 + 3 * 10 s + one interval. The health check never comes UP.
  EXPECT_THAT(RunTo(31), IsEmpty());
  // The timed-out node is powered off and the least-failed one booted instead.
  EXPECT_THAT(RunTo(32), ElementsAre("web3:maint", "off web3", "web4:drain", "on web4",
                                     "web3 BOOTING->POWERING_OFF", "web4 DOWN->BOOTING"));
  EXPECT_EQ(controller_->counters().boot_failures, 1u);
  EXPECT_EQ(controller_->nodes()[2].failures, 1u);
  ASSERT_EQ(records().size(), 2u);
  EXPECT_THAT(records()[1].actions,
              ElementsAre("boot of web3 timed out", "power off web3", "boot web4"));

  ASSERT_TRUE(power_.Complete(2, PowerAction::kOff));
  EXPECT_THAT(RunTo(33), ElementsAre("web3 POWERING_OFF->DOWN"));
}

TEST_F(ControllerTest, FailedPowerOnLeavesTheNodeDownAndBootsAnother) {
  Build(4);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 1);
  lb_->SetOff("web3");
  lb_->SetOff("web4");
  policy_.Set(3, "three");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web3:drain", "on web3", "web3 DOWN->BOOTING"));
  ASSERT_TRUE(power_.Complete(2, PowerAction::kOn, core::UnavailableError("ipmi: no route")));
  // web3 goes back to maint (it waited in drain); web4 boots instead.
  EXPECT_THAT(RunTo(2), ElementsAre("web3:maint", "web4:drain", "on web4", "web3 BOOTING->DOWN",
                                    "web4 DOWN->BOOTING"));
  EXPECT_EQ(controller_->counters().command_failures, 1u);
  EXPECT_EQ(controller_->nodes()[2].failures, 1u);
  ASSERT_EQ(records().size(), 2u);
  EXPECT_THAT(records()[1].actions,
              ElementsAre("power on web3 failed: Unavailable: ipmi: no route", "boot web4"));
}

TEST_F(ControllerTest, PollFailureTakesNoActionAndRecordsTheReason) {
  Build(3);
  lb_->SetServing("web1", 5);
  lb_->SetServing("web2", 2);
  lb_->SetServing("web3", 4);
  policy_.Set(2, "two");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 BUSY->DRAINING"));
  const int calls = policy_.calls();

  // web2 would be powered off now, and the policy wants fewer nodes: neither happens blind.
  lb_->SetSessions("web2", 0);
  policy_.Set(1, "one");
  lb_->FailPolls(core::UnavailableError("stats socket: connection refused"));
  EXPECT_THAT(RunTo(2), IsEmpty());
  EXPECT_EQ(policy_.calls(), calls);
  EXPECT_EQ(controller_->counters().poll_failures, 1u);
  ASSERT_EQ(records().size(), 2u);
  const DecisionRecord& failed = records()[1];
  EXPECT_EQ(failed.at, 2);
  EXPECT_THAT(failed.actions, IsEmpty());
  EXPECT_EQ(failed.reason, "balancer poll failed: Unavailable: stats socket: connection refused");
  EXPECT_EQ(failed.serving, 2);
  EXPECT_EQ(failed.target, 2);  // no change
  EXPECT_EQ(failed.policy_target, 2);

  // The same failure again is not logged again.
  EXPECT_THAT(RunTo(4), IsEmpty());
  EXPECT_EQ(controller_->counters().poll_failures, 3u);
  EXPECT_EQ(records().size(), 2u);
  EXPECT_EQ(States(), "web1:BUSY web2:DRAINING web3:BUSY");

  // Back: the drain finishes; the rate spans the whole gap.
  lb_->ClearPollFailure();
  policy_.Set(2, "two");
  EXPECT_THAT(RunTo(5), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
  EXPECT_EQ(controller_->history().Latest().at, 5);
  EXPECT_EQ(controller_->history().Latest().rate_rps, 150);
  EXPECT_EQ(controller_->history().size(), 2u);
}

TEST_F(ControllerTest, ServerCountMismatchIsAPollFailure) {
  Build(3);
  lb_->SetServing("web1");
  lb_->SetServing("web2");
  lb_->SetServing("web3");
  policy_.Set(3, "all");
  RunTo(1);
  lb_->set_server_count_skew(-1);
  policy_.Set(1, "one");
  EXPECT_THAT(RunTo(2), IsEmpty());
  EXPECT_EQ(controller_->counters().poll_failures, 1u);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_EQ(records()[0].reason,
            "balancer poll failed: Internal: balancer reported 2 servers, expected 3");
}

TEST_F(ControllerTest, StaleDataBlocksScaleDownButNotScaleUp) {
  Build(4);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 1);
  lb_->SetServing("web3", 1);
  lb_->SetOff("web4");
  lb_->set_answer_lag(10);  // stale_after_s is 5
  policy_.Set(1, "low");
  RunTo(0);
  EXPECT_THAT(RunTo(3), IsEmpty());
  ASSERT_EQ(records().size(), 1u);  // once, not every tick
  EXPECT_EQ(records()[0].at, 1);
  EXPECT_THAT(records()[0].actions, IsEmpty());
  EXPECT_EQ(records()[0].target, 1);
  EXPECT_EQ(records()[0].reason, "low; guard: scale-down held: balancer data older than 5s");

  policy_.Set(4, "high");
  EXPECT_THAT(RunTo(4), ElementsAre("web4:drain", "on web4", "web4 DOWN->BOOTING"));

  // Fresh data again: the scale-down goes ahead.
  lb_->set_answer_lag(0);
  policy_.Set(2, "two");
  EXPECT_THAT(RunTo(5), ElementsAre("web3:drain", "web3 BUSY->DRAINING"));
}

TEST_F(ControllerTest, NeverDrainsTheLastNode) {
  ControllerOptions options = Options();
  options.guard.min_serving = 0;
  Build(2, options);
  lb_->SetServing("web1");
  lb_->SetServing("web2");
  policy_.Set(0, "no load");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 ONLINE->DRAINING"));
  EXPECT_EQ(records()[0].policy_target, 0);
  EXPECT_EQ(records()[0].target, 1);
  EXPECT_EQ(records()[0].reason, "no load; guard: bounded to 1 (min 1, max 2)");
  EXPECT_THAT(RunTo(2), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
  EXPECT_THAT(RunTo(50), IsEmpty());
  EXPECT_EQ(State(0), NodeState::kOnline);
  EXPECT_THAT(lb_->admin_commands(), ElementsAre("web2:drain", "web2:maint"));
  EXPECT_EQ(records().size(), 2u);
}

TEST_F(ControllerTest, ASingleNodeIsNeverDrained) {
  Build(1);
  lb_->SetServing("web1", 3);
  policy_.Set(0, "no load");
  EXPECT_THAT(RunTo(20), ElementsAre("web1 UNKNOWN->BUSY"));
  EXPECT_THAT(lb_->admin_commands(), IsEmpty());
  EXPECT_THAT(records(), IsEmpty());  // bounded, but nothing held back
}

TEST_F(ControllerTest, RecordsOnlyWhenActingOrWhenTheHeldReasonChanges) {
  Build(3, Options(/*down_cooldown_s=*/30));
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 0);
  lb_->SetServing("web3", 1);
  policy_.Set(2, "two");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 ONLINE->DRAINING"));
  EXPECT_THAT(RunTo(2), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
  ASSERT_EQ(records().size(), 2u);

  // Held by the down cooldown (from the drain at t = 1): logged once.
  policy_.Set(1, "one");
  EXPECT_THAT(RunTo(9), IsEmpty());
  ASSERT_EQ(records().size(), 3u);
  EXPECT_EQ(records()[2].at, 3);
  EXPECT_THAT(records()[2].actions, IsEmpty());
  EXPECT_EQ(records()[2].reason, "one; guard: scale-down held: down cooldown 30s");

  // The policy's words change, the guard's do not: nothing new.
  policy_.Set(1, "still one");
  EXPECT_THAT(RunTo(10), IsEmpty());
  EXPECT_EQ(records().size(), 3u);

  // A different reason to hold back is logged, and so is the first one when it comes back.
  lb_->set_answer_lag(10);
  RunTo(12);
  ASSERT_EQ(records().size(), 4u);
  EXPECT_EQ(records()[3].at, 11);
  EXPECT_EQ(records()[3].reason, "still one; guard: scale-down held: balancer data older than 5s");
  lb_->set_answer_lag(0);
  RunTo(14);
  ASSERT_EQ(records().size(), 5u);
  EXPECT_EQ(records()[4].at, 13);
  EXPECT_EQ(records()[4].reason, "still one; guard: scale-down held: down cooldown 30s");

  // Cooldown over at t = 31: it acts, and that is logged.
  EXPECT_THAT(RunTo(30), IsEmpty());
  EXPECT_THAT(RunTo(31), ElementsAre("web3:drain", "web3 BUSY->DRAINING"));
  ASSERT_EQ(records().size(), 6u);
  EXPECT_THAT(records()[5].actions, ElementsAre("drain web3"));
}

TEST_F(ControllerTest, FailedAdminCommandIsRecordedAndRetried) {
  Build(2);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 1);
  policy_.Set(1, "one");
  RunTo(0);
  lb_->FailNextAdminCommand("web2", core::UnavailableError("socket closed"));
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain"));
  EXPECT_EQ(State(1), NodeState::kBusy);
  EXPECT_EQ(controller_->counters().command_failures, 1u);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_THAT(records()[0].actions,
              ElementsAre("set web2 drain failed: Unavailable: socket closed"));
  EXPECT_THAT(RunTo(2), ElementsAre("web2:drain", "web2 BUSY->DRAINING"));
}

TEST_F(ControllerTest, FailedHealthCheckTakesTheNodeOut) {
  Build(2);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 1);
  policy_.Set(2, "two");
  RunTo(1);
  lb_->SetHealth("web2", lb::Health::kDown);
  // Out of rotation and UNKNOWN: not a candidate to bring back this tick.
  EXPECT_THAT(RunTo(2), ElementsAre("web2 BUSY->UNKNOWN"));
  EXPECT_EQ(controller_->nodes()[1].failures, 1u);
  ASSERT_EQ(records().size(), 1u);
  EXPECT_THAT(records()[0].actions, ElementsAre("web2 failed its health check"));
  // Then the balancer's word is taken (DOWN), and the policy's target boots it again.
  EXPECT_THAT(RunTo(3), ElementsAre("web2:drain", "on web2", "web2 UNKNOWN->BOOTING"));
}

TEST_F(ControllerTest, PowerOffTimeoutLeavesTheNodeUnknownUntilTheBalancerSays) {
  ControllerOptions options = Options();
  options.power_off_timeout_s = 20;
  Build(2, options);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 0);
  policy_.Set(1, "one");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "web2 ONLINE->DRAINING"));
  EXPECT_THAT(RunTo(2), ElementsAre("web2:maint", "off web2", "web2 DRAINING->POWERING_OFF"));
  EXPECT_EQ(controller_->nodes()[1].deadline, 2 + 20);
  EXPECT_THAT(RunTo(21), IsEmpty());
  EXPECT_THAT(RunTo(22), ElementsAre("web2 POWERING_OFF->UNKNOWN"));
  EXPECT_EQ(controller_->nodes()[1].failures, 1u);
  // Still UP but in maint: the balancer says it runs out of rotation.
  EXPECT_THAT(RunTo(23), ElementsAre("web2 UNKNOWN->OFFLINE"));
  EXPECT_THAT(records().back().actions, ElementsAre("power-off of web2 timed out"));
}

TEST_F(ControllerTest, FailedPowerOffLeavesTheNodeUnknown) {
  Build(2);
  lb_->SetServing("web1", 2);
  lb_->SetServing("web2", 0);
  policy_.Set(1, "one");
  RunTo(2);
  ASSERT_EQ(State(1), NodeState::kPoweringOff);
  ASSERT_TRUE(power_.Complete(1, PowerAction::kOff, core::InternalError("exit 1")));
  lb_->SetOff("web2");
  // UNKNOWN from the completion, then DOWN from the balancer, within one tick.
  EXPECT_THAT(RunTo(3), ElementsAre("web2 POWERING_OFF->DOWN"));
  EXPECT_EQ(controller_->counters().command_failures, 1u);
  EXPECT_EQ(controller_->counters().power_offs, 0u);
  EXPECT_THAT(records().back().actions, ElementsAre("power off web2 failed: Internal: exit 1"));
}

TEST_F(ControllerTest, MaxTransitionsPerTickSpreadsABigScaleUp) {
  ControllerOptions options = Options();
  options.guard.max_transitions_per_tick = 2;
  Build(5, options);
  for (const char* name : {"web2", "web3", "web4", "web5"}) lb_->SetOff(name);
  lb_->SetServing("web1");
  policy_.Set(5, "all");
  RunTo(0);
  EXPECT_THAT(RunTo(1), ElementsAre("web2:drain", "on web2", "web3:drain", "on web3",
                                    "web2 DOWN->BOOTING", "web3 DOWN->BOOTING"));
  EXPECT_EQ(records().back().reason, "all; guard: 2 of 4 started this tick");
  EXPECT_THAT(RunTo(2), ElementsAre("web4:drain", "on web4", "web5:drain", "on web5",
                                    "web4 DOWN->BOOTING", "web5 DOWN->BOOTING"));
  EXPECT_THAT(RunTo(3), IsEmpty());
}

TEST_F(ControllerTest, TickSummary) {
  Build(3);
  lb_->SetServing("web1", 1);
  lb_->SetServing("web2", 0);
  lb_->SetOff("web3");
  lb_->set_queued(7);
  rate_rps_ = 120;
  policy_.Set(3, "three");
  policy_.set_expected_rps(180);
  RunTo(1);
  const TickSummary& s = controller_->last_tick();
  EXPECT_EQ(s.at, 1);
  EXPECT_TRUE(s.have_rate);
  EXPECT_EQ(s.rate_rps, 120);
  EXPECT_EQ(s.expected_rps, 180);
  EXPECT_EQ(s.target, 3);
  EXPECT_EQ(s.serving, 2);
  EXPECT_EQ(s.powered, 3);
  EXPECT_EQ(s.booting, 1);
  EXPECT_EQ(s.queued, 7);
  EXPECT_EQ(controller_->counters().ticks, 2u);
}

}  // namespace
}  // namespace ebb::control
