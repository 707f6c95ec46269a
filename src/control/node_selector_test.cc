#include "control/node_selector.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ebb::control {
namespace {

using core::NodeState;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct NodeRow {
  NodeState state;
  int sessions = 0;
  std::uint64_t boots = 0;
  std::uint64_t failures = 0;
};

std::vector<NodeRuntime> Nodes(const std::vector<NodeRow>& rows) {
  std::vector<NodeRuntime> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    NodeRuntime n;
    n.id = static_cast<core::NodeId>(i);
    n.state = rows[i].state;
    n.sessions = rows[i].sessions;
    n.boots = rows[i].boots;
    n.failures = rows[i].failures;
    out.push_back(n);
  }
  return out;
}

TEST(NodeSelectorTest, DrainTable) {
  struct Row {
    std::string name;
    std::vector<NodeRow> nodes;
    int count;
    std::vector<core::NodeId> want;
  };
  const std::vector<Row> rows = {
      {"fewest sessions first",
       {{NodeState::kBusy, 5}, {NodeState::kBusy, 1}, {NodeState::kBusy, 3}},
       2,
       {1, 2}},
      {"ties go to the highest index",
       {{NodeState::kOnline}, {NodeState::kOnline}, {NodeState::kOnline}},
       2,
       {2, 1}},
      {"idle before busy",
       {{NodeState::kBusy, 2}, {NodeState::kOnline, 0}, {NodeState::kBusy, 1}},
       1,
       {1}},
      {"only serving nodes",
       {{NodeState::kDraining},
        {NodeState::kBooting},
        {NodeState::kOffline},
        {NodeState::kDown},
        {NodeState::kPoweringOff},
        {NodeState::kUnknown},
        {NodeState::kBusy, 9}},
       3,
       {6}},
      {"count zero", {{NodeState::kOnline}}, 0, {}},
      {"more than there are", {{NodeState::kOnline}, {NodeState::kBusy, 1}}, 5, {0, 1}},
      {"nothing serving", {{NodeState::kDown}, {NodeState::kBooting}}, 1, {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(PickToDrain(Nodes(row.nodes), row.count), row.want);
  }
}

TEST(NodeSelectorTest, AddTable) {
  struct Row {
    std::string name;
    std::vector<NodeRow> nodes;
    int count;
    std::vector<core::NodeId> want;
  };
  const std::vector<Row> rows = {
      {"draining, then offline, then down",
       {{NodeState::kDown}, {NodeState::kOffline}, {NodeState::kDraining}},
       3,
       {2, 1, 0}},
      {"a draining node is re-admitted before any boot",
       {{NodeState::kDown}, {NodeState::kDown}, {NodeState::kDraining, 4}},
       1,
       {2}},
      {"fewest boots among the powered off",
       {{NodeState::kDown, 0, 7}, {NodeState::kDown, 0, 2}, {NodeState::kDown, 0, 5}},
       2,
       {1, 2}},
      {"fewest failures before fewest boots",
       {{NodeState::kDown, 0, 1, 2}, {NodeState::kDown, 0, 9, 0}},
       1,
       {1}},
      {"then the lowest index",
       {{NodeState::kDown}, {NodeState::kDown}, {NodeState::kDown}},
       2,
       {0, 1}},
      {"never serving, booting, powering off or unknown nodes",
       {{NodeState::kBusy},
        {NodeState::kOnline},
        {NodeState::kBooting},
        {NodeState::kPoweringOff},
        {NodeState::kUnknown},
        {NodeState::kDown}},
       6,
       {5}},
      {"count zero", {{NodeState::kDown}}, 0, {}},
      {"no candidates", {{NodeState::kOnline}, {NodeState::kBooting}}, 2, {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(PickToAdd(Nodes(row.nodes), row.count), row.want);
  }
}

TEST(NodeSelectorTest, EmptyCluster) {
  EXPECT_THAT(PickToDrain({}, 3), IsEmpty());
  EXPECT_THAT(PickToAdd({}, 3), IsEmpty());
}

TEST(NodeSelectorTest, IdsAreTheNodesOwnIds) {
  std::vector<NodeRuntime> nodes = Nodes({{NodeState::kOnline}, {NodeState::kDown}});
  nodes[0].id = 7;
  nodes[1].id = 3;
  EXPECT_THAT(PickToDrain(nodes, 1), ElementsAre(7));
  EXPECT_THAT(PickToAdd(nodes, 1), ElementsAre(3));
}

// Under `balance first` the highest serving nodes go first even when one of them holds a
// session for a moment: the load packs onto the lowest, so those empty for good.
TEST(NodeSelectorTest, BalanceFirstDrainsTheHighestNodes) {
  const std::vector<NodeRuntime> nodes = Nodes({{NodeState::kBusy, 7},
                                                {NodeState::kOnline, 0},
                                                {NodeState::kBusy, 1},
                                                {NodeState::kDown},
                                                {NodeState::kBusy, 2}});
  EXPECT_THAT(PickToDrain(nodes, 2, DrainOrderFor(lb::Algorithm::kFirst)), ElementsAre(4, 2));
  EXPECT_THAT(PickToDrain(nodes, 2, DrainOrderFor(lb::Algorithm::kLeastConn)), ElementsAre(1, 2));
  EXPECT_THAT(PickToDrain(nodes, 2, DrainOrderFor(lb::Algorithm::kRoundRobin)), ElementsAre(1, 2));
}

}  // namespace
}  // namespace ebb::control
