#include "store/state_store.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ebb::store {
namespace {

namespace fs = std::filesystem;
using core::NodeState;
using ::testing::HasSubstr;

// A scratch folder under the system's temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / fmt::format("ebb-store-test-{}-{}", getpid(), random());
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::unique_ptr<StateStore> OpenOrDie(const std::string& path, StateStoreOptions options = {}) {
  auto store = StateStore::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Runs SQL on the file through a second, plain connection (to prepare odd files).
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

control::DecisionRecord Decision(double at, std::string reason) {
  return control::DecisionRecord{.at = at,
                                 .policy = "threshold",
                                 .rate_rps = 123.5,
                                 .expected_rps = 130,
                                 .serving = 3,
                                 .booting = 1,
                                 .policy_target = 5,
                                 .target = 4,
                                 .actions = {"boot web4", "ready web2"},
                                 .reason = std::move(reason)};
}

// A tick as the crash tests write it: node "n<k % 8>" gets since = tick, and the decision and
// every transition carry the tick number, so a half-applied tick would show.
TickWrite NumberedTick(int number, int transitions) {
  TickWrite tick{.at = static_cast<double>(number)};
  tick.nodes = {{.name = fmt::format("n{}", number % 8),
                 .state = NodeState::kOnline,
                 .since = static_cast<double>(number),
                 .boots = static_cast<std::uint64_t>(number)}};
  for (int i = 0; i < transitions; ++i) {
    tick.transitions.push_back({.at = static_cast<double>(number),
                                .node = fmt::format("n{}", number % 8),
                                .from = NodeState::kBusy,
                                .to = NodeState::kOnline,
                                .reason = fmt::format("tick {}", number)});
  }
  tick.decision = Decision(number, fmt::format("tick {}", number));
  tick.meta = {{"last_tick", std::to_string(number)}};
  return tick;
}

TEST(ParseNodeState, InvertsToString) {
  for (NodeState state :
       {NodeState::kUnknown, NodeState::kBusy, NodeState::kOnline, NodeState::kOffline,
        NodeState::kDown, NodeState::kBooting, NodeState::kDraining, NodeState::kPoweringOff}) {
    auto parsed = ParseNodeState(core::ToString(state));
    ASSERT_TRUE(parsed.ok()) << core::ToString(state);
    EXPECT_EQ(*parsed, state);
  }
  EXPECT_FALSE(ParseNodeState("draining").ok());
  EXPECT_FALSE(ParseNodeState("").ok());
}

TEST(StateStore, RoundTripsEverythingATickWrites) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    TickWrite tick{.at = 100};
    tick.nodes = {
        {.name = "web1", .state = NodeState::kBusy, .since = 90, .boots = 2, .failures = 1},
        {.name = "web2", .state = NodeState::kDraining, .since = 99, .deadline = 159},
    };
    tick.transitions = {{.at = 99,
                         .node = "web2",
                         .from = NodeState::kOnline,
                         .to = NodeState::kDraining,
                         .reason = "load fell"}};
    tick.decision = Decision(100, "underload for 30 ticks");
    tick.decision->rate_rps = std::nan("");
    tick.meta = {{"last_down_at", "99"}, {"starts", "1"}};
    ASSERT_TRUE(store->Commit(tick).ok());

    TickWrite next{.at = 101};
    next.nodes = {{.name = "web3", .state = NodeState::kBooting, .since = 101, .deadline = 400}};
    next.transitions = {{.at = 101,
                         .node = "web3",
                         .from = NodeState::kDown,
                         .to = NodeState::kBooting,
                         .reason = "boot web3"}};
    next.meta = {{"starts", "2"}};
    ASSERT_TRUE(store->Commit(next).ok());
  }

  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto nodes = store->LoadNodes();
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_EQ(nodes->size(), 3u);
  const StoredNode& web1 = (*nodes)[0];
  EXPECT_EQ(web1.name, "web1");
  EXPECT_EQ(web1.state, NodeState::kBusy);
  EXPECT_EQ(web1.since, 90);
  EXPECT_TRUE(std::isinf(web1.deadline));
  EXPECT_EQ(web1.boots, 2u);
  EXPECT_EQ(web1.failures, 1u);
  EXPECT_EQ(web1.updated_at, 100);
  EXPECT_EQ((*nodes)[1].state, NodeState::kDraining);
  EXPECT_EQ((*nodes)[1].deadline, 159);
  EXPECT_EQ((*nodes)[2].name, "web3");
  EXPECT_EQ((*nodes)[2].power_ons, 1u);
  EXPECT_EQ((*nodes)[2].power_offs, 0u);

  auto starts = store->LoadMeta("starts");
  ASSERT_TRUE(starts.ok());
  EXPECT_EQ(starts->value_or(""), "2");
  auto missing = store->LoadMeta("nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
  auto all_meta = store->LoadAllMeta();
  ASSERT_TRUE(all_meta.ok());
  EXPECT_EQ(all_meta->size(), 2u);
  EXPECT_EQ((*all_meta)[0].first, "last_down_at");

  auto decisions = store->RecentDecisions(10);
  ASSERT_TRUE(decisions.ok()) << decisions.status().ToString();
  ASSERT_EQ(decisions->size(), 1u);
  const control::DecisionRecord& d = (*decisions)[0].record;
  EXPECT_EQ(d.at, 100);
  EXPECT_EQ(d.policy, "threshold");
  EXPECT_TRUE(std::isnan(d.rate_rps));
  EXPECT_EQ(d.expected_rps, 130);
  EXPECT_EQ(d.serving, 3);
  EXPECT_EQ(d.booting, 1);
  EXPECT_EQ(d.policy_target, 5);
  EXPECT_EQ(d.target, 4);
  EXPECT_THAT(d.actions, ::testing::ElementsAre("boot web4", "ready web2"));
  EXPECT_EQ(d.reason, "underload for 30 ticks");

  auto transitions = store->RecentTransitions(10);
  ASSERT_TRUE(transitions.ok());
  ASSERT_EQ(transitions->size(), 2u);
  EXPECT_EQ((*transitions)[0].transition.node, "web3");  // newest first
  EXPECT_GT((*transitions)[0].id, (*transitions)[1].id);
  EXPECT_EQ((*transitions)[1].transition.from, NodeState::kOnline);
  EXPECT_EQ((*transitions)[1].transition.to, NodeState::kDraining);
  EXPECT_EQ((*transitions)[1].transition.reason, "load fell");
  EXPECT_EQ((*transitions)[1].transition.at, 99);
}

TEST(StateStore, ACleanCloseCheckpointsAndRemovesTheWal) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Commit(NumberedTick(1, 1)).ok());
    auto nodes = store->LoadNodes();  // leaves every statement used once
    ASSERT_TRUE(nodes.ok());
    EXPECT_TRUE(fs::exists(path + "-wal"));
  }
  EXPECT_FALSE(fs::exists(path + "-wal"));
  EXPECT_TRUE(fs::exists(path));
}

TEST(StateStore, CountsPowerOnsAndOffsPerNode) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("state.db"));
  ASSERT_NE(store, nullptr);
  const NodeState cycle[] = {NodeState::kDown,     NodeState::kBooting, NodeState::kOnline,
                             NodeState::kDraining, NodeState::kOffline, NodeState::kPoweringOff,
                             NodeState::kDown};
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 1; i < std::size(cycle); ++i) {
      const double at = round * 100.0 + static_cast<double>(i);
      TickWrite tick{.at = at};
      tick.nodes = {{.name = "web1", .state = cycle[i], .since = at}};
      tick.transitions = {{.at = at, .node = "web1", .from = cycle[i - 1], .to = cycle[i]}};
      ASSERT_TRUE(store->Commit(tick).ok());
    }
  }
  auto nodes = store->LoadNodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].power_ons, 3u);
  EXPECT_EQ((*nodes)[0].power_offs, 3u);
  EXPECT_EQ((*nodes)[0].state, NodeState::kDown);
}

TEST(StateStore, ATickWithNothingToWriteTouchesNoFile) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  TickWrite tick{.at = 1};
  tick.nodes = {{.name = "web1", .state = NodeState::kOnline}};
  ASSERT_TRUE(store->Commit(tick).ok());
  auto snapshot = [&]() {
    std::vector<std::pair<fs::file_time_type, std::uintmax_t>> files;
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
      files.emplace_back(fs::last_write_time(file), fs::file_size(file));
    }
    return files;
  };
  const auto before = snapshot();
  // Let a write, if one happened, show in the modification time.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(store->Commit(TickWrite{.at = 2.0 + i}).ok());
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(store->stats().commits, 1u);
  EXPECT_EQ(store->stats().empty_commits, 100u);
}

// Checks that the file holds exactly ticks 1..last of NumberedTick, each whole, and
// `transitions_total` transitions in all.
void ExpectWholeTicks(const std::string& path, int last, std::size_t transitions_total) {
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  auto decisions = store->RecentDecisions(1'000'000);
  ASSERT_TRUE(decisions.ok()) << decisions.status().ToString();
  ASSERT_EQ(decisions->size(), static_cast<std::size_t>(last));
  for (int i = 0; i < last; ++i) EXPECT_EQ((*decisions)[i].record.at, last - i);
  auto transitions = store->RecentTransitions(100'000'000);
  ASSERT_TRUE(transitions.ok());
  EXPECT_EQ(transitions->size(), transitions_total);
  if (!transitions->empty()) {
    EXPECT_EQ(transitions->front().transition.at, last);
  }
  auto meta = store->LoadMeta("last_tick");
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->value_or(""), std::to_string(last));
  auto nodes = store->LoadNodes();
  ASSERT_TRUE(nodes.ok());
  for (const StoredNode& node : *nodes) {
    // The newest tick that wrote this node.
    const int k = std::stoi(node.name.substr(1));
    const int newest = last - ((last - k) % 8 + 8) % 8;
    EXPECT_EQ(node.since, newest) << node.name;
    EXPECT_EQ(node.boots, static_cast<std::uint64_t>(newest)) << node.name;
  }
}

TEST(StateStore, ReopensEveryTickCommittedBeforeAnExitWithoutClose) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = StateStore::Open(path);
    if (!store.ok()) _exit(2);
    for (int number = 1; number <= 50; ++number) {
      if (!(*store)->Commit(NumberedTick(number, 2)).ok()) _exit(3);
    }
    _exit(0);  // no destructor: the WAL is never checkpointed or closed
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(fs::exists(path + "-wal"));
  ExpectWholeTicks(path, 50, 50 * 2);
}

// The child commits small ticks and reports each on a pipe, then starts one huge tick; the parent
// kills it with SIGKILL while that tick's pages are being written to the WAL. Every reported
// tick must be there; the huge one only if the child reported it committed.
TEST(StateStore, ASigkillMidTickLosesOnlyThatTick) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  constexpr int kSmallTicks = 20;
  constexpr int kHugeTransitions = 2'000'000;
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    auto store = StateStore::Open(path);
    if (!store.ok()) _exit(2);
    for (int number = 1; number <= kSmallTicks; ++number) {
      if (!(*store)->Commit(NumberedTick(number, 1)).ok()) _exit(3);
      const char committed = 'c';
      if (write(pipe_fds[1], &committed, 1) != 1) _exit(4);
    }
    TickWrite huge = NumberedTick(kSmallTicks + 1, kHugeTransitions);
    const char starting = 's';
    if (write(pipe_fds[1], &starting, 1) != 1) _exit(4);
    if (!(*store)->Commit(huge).ok()) _exit(3);
    const char committed = 'h';
    if (write(pipe_fds[1], &committed, 1) != 1) _exit(4);
    pause();
    _exit(0);
  }
  close(pipe_fds[1]);
  int small_committed = 0;
  bool huge_started = false;
  char byte;
  while (!huge_started && read(pipe_fds[0], &byte, 1) == 1) {
    if (byte == 'c') ++small_committed;
    if (byte == 's') huge_started = true;
  }
  ASSERT_TRUE(huge_started);
  ASSERT_EQ(small_committed, kSmallTicks);
  // Wait (bounded) until the huge tick spills pages into the WAL, so the kill lands mid-tick.
  const std::uintmax_t wal_before = fs::file_size(path + "-wal");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < give_up) {
    std::error_code error;
    if (fs::file_size(path + "-wal", error) > wal_before + 1'000'000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  // Anything the child reported before dying is in the pipe.
  bool huge_committed = false;
  while (read(pipe_fds[0], &byte, 1) == 1) huge_committed = huge_committed || byte == 'h';
  close(pipe_fds[0]);
  if (huge_committed) {
    ExpectWholeTicks(path, kSmallTicks + 1, kSmallTicks + kHugeTransitions);
  } else {
    ExpectWholeTicks(path, kSmallTicks, kSmallTicks);
  }
}

TEST(StateStore, RefusesASchemaFromANewerEbb) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  RawExec(path, fmt::format("PRAGMA user_version = {}", StateStore::kSchemaVersion + 1));
  auto store = StateStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), core::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("newer"));
}

TEST(StateStore, RefusesAnotherApplicationsDatabase) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE photos(id INTEGER PRIMARY KEY)");
  auto store = StateStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("not an ebb state store"));
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_FALSE(fs::exists(path + "-wal"));  // left in its own journal mode
}

TEST(StateStore, RefusesAFileThatIsNotADatabase) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  {
    std::ofstream file(path);
    for (int i = 0; i < 200; ++i) file << "this is not a database, line " << i << "\n";
  }
  auto store = StateStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr(path));
  EXPECT_THAT(store.status().message(), HasSubstr("not a database"));
  std::ifstream file(path);
  std::string first_line;
  std::getline(file, first_line);
  EXPECT_EQ(first_line, "this is not a database, line 0");
  EXPECT_EQ(fs::file_size(path), 6490u);  // 200 lines as written
}

TEST(StateStore, RefusesACorruptDatabase) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    for (int number = 1; number <= 200; ++number) {
      ASSERT_TRUE(store->Commit(NumberedTick(number, 5)).ok());
    }
  }
  // Garbage over the schema page after the 100-byte header, and over the second page.
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    const std::string garbage(8000, '\x5a');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto store = StateStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), core::StatusCode::kInvalidArgument) << store.status().ToString();
  EXPECT_THAT(store.status().message(), HasSubstr(path));
}

TEST(StateStore, ReportsAFolderThatDoesNotExist) {
  TempDir dir;
  const std::string path = dir.File("missing/state.db");
  auto store = StateStore::Open(path);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr(path));
}

std::size_t DecisionCount(StateStore& store) {
  auto decisions = store.RecentDecisions(1'000'000);
  EXPECT_TRUE(decisions.ok());
  return decisions.ok() ? decisions->size() : 0;
}

TEST(StateStore, KeepsTheNewestDecisionsAndTransitions) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    auto store =
        OpenOrDie(path, {.max_decisions = 10, .max_transitions = 20, .prune_every_rows = 15});
    ASSERT_NE(store, nullptr);
    for (int number = 1; number <= 100; ++number) {
      ASSERT_TRUE(store->Commit(NumberedTick(number, 2)).ok());
      // 3 rows a tick, pruned when 15 accumulated: never more than max + 14.
      EXPECT_LE(DecisionCount(*store), 10u + 14u);
    }
    EXPECT_GT(store->stats().prunes, 0u);
    EXPECT_LT(store->stats().prunes, 100u);  // occasionally, not every tick
    auto decisions = store->RecentDecisions(1);
    ASSERT_TRUE(decisions.ok());
    EXPECT_EQ(decisions->front().record.at, 100);
  }
  // Open prunes to the (new) limits at once.
  auto store = OpenOrDie(path, {.max_decisions = 5, .max_transitions = 7});
  ASSERT_NE(store, nullptr);
  auto decisions = store->RecentDecisions(100);
  ASSERT_TRUE(decisions.ok());
  ASSERT_EQ(decisions->size(), 5u);
  EXPECT_EQ(decisions->front().record.at, 100);
  EXPECT_EQ(decisions->back().record.at, 96);
  auto transitions = store->RecentTransitions(100);
  ASSERT_TRUE(transitions.ok());
  EXPECT_EQ(transitions->size(), 7u);
}

TEST(StateStore, AFailingTickLeavesNothingHalfApplied) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("state.db"));
  ASSERT_NE(store, nullptr);
  TickWrite first{.at = 1};
  first.nodes = {{.name = "web1", .state = NodeState::kOnline, .since = 1}};
  ASSERT_TRUE(store->Commit(first).ok());

  // The schema rejects the third node, after two rows, a transition and the decision are written.
  TickWrite bad{.at = 2};
  bad.transitions = {
      {.at = 2, .node = "web1", .from = NodeState::kOnline, .to = NodeState::kPoweringOff}};
  bad.decision = Decision(2, "bad");
  bad.meta = {{"k", "v"}};
  bad.nodes = {{.name = "web1", .state = NodeState::kDraining, .since = 2},
               {.name = "web2", .state = NodeState::kBooting, .since = 2},
               {.name = "", .state = NodeState::kBooting, .since = 2}};
  core::Status status = store->Commit(bad);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("CHECK constraint failed"));
  EXPECT_EQ(store->stats().failed_commits, 1u);

  auto nodes = store->LoadNodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].state, NodeState::kOnline);
  EXPECT_EQ((*nodes)[0].power_offs, 0u);
  EXPECT_EQ(DecisionCount(*store), 0u);
  auto transitions = store->RecentTransitions(10);
  ASSERT_TRUE(transitions.ok());
  EXPECT_TRUE(transitions->empty());
  auto meta = store->LoadMeta("k");
  ASSERT_TRUE(meta.ok());
  EXPECT_FALSE(meta->has_value());

  // The store goes on working.
  bad.nodes.pop_back();
  ASSERT_TRUE(store->Commit(bad).ok());
  nodes = store->LoadNodes();
  ASSERT_TRUE(nodes.ok());
  EXPECT_EQ(nodes->size(), 2u);
  EXPECT_EQ(DecisionCount(*store), 1u);
}

TEST(StateStore, ATickBlockedByAnotherWriterIsUnavailableAndNotApplied) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenOrDie(path, {.busy_timeout_ms = 50});
  ASSERT_NE(store, nullptr);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  core::Status status = store->Commit(NumberedTick(1, 1));
  EXPECT_EQ(status.code(), core::StatusCode::kUnavailable) << status.ToString();
  EXPECT_THAT(status.message(), HasSubstr(path));

  ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(other);
  EXPECT_EQ(DecisionCount(*store), 0u);
  ASSERT_TRUE(store->Commit(NumberedTick(1, 1)).ok());
  EXPECT_EQ(DecisionCount(*store), 1u);
}

TEST(StateStore, ABackgroundThreadCopiesTheWalIntoTheDatabase) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  auto store = OpenOrDie(path, {.checkpoint_pages = 8});
  ASSERT_NE(store, nullptr);
  const std::uintmax_t empty_size = fs::file_size(path);
  int number = 0;
  // Each tick asks for a checkpoint once the WAL is past 8 pages; poll, bounded, for one.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (store->stats().checkpoints == 0 && std::chrono::steady_clock::now() < give_up) {
    ASSERT_TRUE(store->Commit(NumberedTick(++number, 20)).ok());
    if (number > 20) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(store->stats().checkpoints, 0u);
  EXPECT_EQ(store->stats().failed_checkpoints, 0u);
  EXPECT_GT(fs::file_size(path), empty_size);  // pages arrived without a close
  store.reset();
  ExpectWholeTicks(path, number, static_cast<std::size_t>(number) * 20);
}

// CPU time of this thread (user and system, so the WAL writes count): what a tick costs, without
// the time other processes of a loaded machine take from it.
double ThreadCpuMicros() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

TEST(StateStore, ATickOfAThousandNodesWithAFewChangesIsCheap) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("state.db"));
  ASSERT_NE(store, nullptr);
  constexpr int kNodes = 1000;
  TickWrite all{.at = 0};
  for (int i = 0; i < kNodes; ++i) {
    all.nodes.push_back({.name = fmt::format("web{}", i), .state = NodeState::kOnline});
  }
  ASSERT_TRUE(store->Commit(all).ok());

  constexpr int kTicks = 300;
  std::vector<double> micros;
  for (int tick_number = 1; tick_number <= kTicks; ++tick_number) {
    TickWrite tick{.at = static_cast<double>(tick_number)};
    for (int k = 0; k < 5; ++k) {
      const std::string name = fmt::format("web{}", (tick_number * 7 + k * 131) % kNodes);
      tick.nodes.push_back({.name = name,
                            .state = NodeState::kDraining,
                            .since = tick.at,
                            .deadline = tick.at + 60});
      tick.transitions.push_back({.at = tick.at,
                                  .node = name,
                                  .from = NodeState::kOnline,
                                  .to = NodeState::kDraining,
                                  .reason = "drain"});
    }
    tick.decision = Decision(tick.at, "underload");
    tick.meta = {{"last_down_at", std::to_string(tick_number)}};
    const double start = ThreadCpuMicros();
    ASSERT_TRUE(store->Commit(tick).ok());
    micros.push_back(ThreadCpuMicros() - start);
  }
  std::sort(micros.begin(), micros.end());
  const double median = micros[micros.size() / 2];
  std::printf(
      "CPU time of a commit of 5 nodes + 5 transitions + decision: median %.1f us, p90 %.1f us, "
      "max %.1f us\n",
      median, micros[micros.size() * 9 / 10], micros.back());
  // The median: the few ticks that prune old rows cost more, by design.
  EXPECT_LT(median, 1000.0);
}

}  // namespace
}  // namespace ebb::store
