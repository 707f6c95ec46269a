// StateStore: the daemon's memory across restarts, in one SQLite file: the last known state of
// every node (with its counters and its power-on/off counts), the transitions between states,
// the controller's decisions with their reasons, and a few key/value facts (`meta`: the
// controller's last scale-up/-down times, the daemon's start count). After a restart, even after
// SIGKILL in the middle of a drain, the daemon loads the nodes and the meta and goes on where it
// stopped.
//
// The daemon's event-loop thread owns the store and calls Commit once per tick; one tick is one
// transaction (all or nothing), and a tick that changed nothing touches no file. Not thread-safe.
// The store runs one thread of its own, which copies the WAL back into the database file (a
// checkpoint, with its fsync) away from the ticks.
//
// Durability: WAL journal with synchronous=NORMAL by default. A committed tick survives the
// process being killed (the WAL is in the kernel's page cache); after a power loss of the control
// host the last ticks may be lost, which the daemon tolerates because it re-observes the balancer
// and the nodes on start. Durability::kPowerLoss (synchronous=FULL) fsyncs every tick instead.
//
// Errors: Open returns InvalidArgument for a file that is not an ebb state store or is corrupt,
// FailedPrecondition for a store written by a newer ebb; Commit returns Unavailable when another
// process holds the write lock beyond the busy timeout or the disk is full or failing, and
// InvalidArgument for rows the schema rejects. Every message names the file and carries SQLite's.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/decision_record.h"
#include "core/node.h"
#include "core/status.h"
#include "core/time.h"

namespace ebb::store {

// The inverse of core::ToString(NodeState): "DRAINING" -> kDraining; anything else is an error.
core::Result<core::NodeState> ParseNodeState(std::string_view text);

enum class Durability {
  kProcessCrash,  // synchronous=NORMAL: survives SIGKILL, may lose the last ticks on power loss
  kPowerLoss,     // synchronous=FULL: every tick is fsynced before Commit returns
};

struct StateStoreOptions {
  Durability durability = Durability::kProcessCrash;
  int busy_timeout_ms = 5000;           // wait this long for another process's write lock
  std::size_t max_decisions = 100'000;  // the newest kept; older ones are deleted
  std::size_t max_transitions = 100'000;
  // Old rows are deleted once this many decisions + transitions were added since the last
  // deletion (and on Open), so a table holds at most max + prune_every_rows - 1 rows.
  std::size_t prune_every_rows = 1000;
  // The WAL is copied back into the database file by a background thread once it holds this
  // many pages (4 KiB each), so that no tick pays for the copy and its fsync.
  int checkpoint_pages = 1000;
};

// One node's row as the daemon writes it: the controller's NodeRuntime, by name.
struct NodeWrite {
  std::string name;
  core::NodeState state = core::NodeState::kUnknown;
  core::Seconds since = 0;
  core::Seconds deadline = std::numeric_limits<double>::infinity();  // infinity: none
  std::uint64_t boots = 0;
  std::uint64_t failures = 0;
};

struct TransitionWrite {
  core::Seconds at = 0;
  std::string node;
  core::NodeState from = core::NodeState::kUnknown;
  core::NodeState to = core::NodeState::kUnknown;
  std::string reason;
};

// Everything one tick changed. Transitions into BOOTING count as a power-on of that node and
// into POWERING_OFF as a power-off; the store keeps those counts per node.
struct TickWrite {
  core::Seconds at = 0;          // the tick's time: the nodes' updated_at
  std::vector<NodeWrite> nodes;  // only the nodes that changed
  std::vector<TransitionWrite> transitions;
  std::optional<control::DecisionRecord> decision;
  std::vector<std::pair<std::string, std::string>> meta;  // key, value (replaced)

  bool empty() const {
    return nodes.empty() && transitions.empty() && !decision.has_value() && meta.empty();
  }
};

struct StoredNode {
  std::string name;
  core::NodeState state = core::NodeState::kUnknown;
  core::Seconds since = 0;
  core::Seconds deadline = std::numeric_limits<double>::infinity();  // infinity: none
  std::uint64_t boots = 0;
  std::uint64_t failures = 0;
  std::uint64_t power_ons = 0;   // transitions into BOOTING ever stored
  std::uint64_t power_offs = 0;  // transitions into POWERING_OFF ever stored
  core::Seconds updated_at = 0;
};

struct StoredTransition {
  std::int64_t id = 0;  // increasing in commit order
  TransitionWrite transition;
};

struct StoredDecision {
  std::int64_t id = 0;  // increasing in commit order
  control::DecisionRecord record;
};

struct StateStoreStats {
  std::uint64_t commits = 0;         // transactions written
  std::uint64_t empty_commits = 0;   // ticks with nothing to write: no file touched
  std::uint64_t failed_commits = 0;  // rolled back
  std::uint64_t prunes = 0;          // retention passes
  std::uint64_t checkpoints = 0;     // WAL copied back by the background thread
  std::uint64_t failed_checkpoints = 0;
};

class StateStore {
 public:
  // The schema version this build writes; PRAGMA user_version of the file.
  static constexpr int kSchemaVersion = 1;

  // Opens `path`, creating the file and its schema when new.
  static core::Result<std::unique_ptr<StateStore>> Open(const std::string& path,
                                                        StateStoreOptions options = {});
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // Writes the tick in one transaction; on error nothing of it is stored.
  core::Status Commit(const TickWrite& tick);

  core::Result<std::vector<StoredNode>> LoadNodes();  // by name
  core::Result<std::optional<std::string>> LoadMeta(std::string_view key);
  core::Result<std::vector<std::pair<std::string, std::string>>> LoadAllMeta();  // by key
  // Newest first, at most `limit`.
  core::Result<std::vector<StoredDecision>> RecentDecisions(std::size_t limit);
  core::Result<std::vector<StoredTransition>> RecentTransitions(std::size_t limit);

  const std::string& path() const { return path_; }
  StateStoreStats stats() const;

 private:
  class Db;
  class Checkpointer;
  StateStore(std::string path, StateStoreOptions options, std::unique_ptr<Db> db);
  core::Status WriteTick(const TickWrite& tick, bool prune);
  core::Status Prune();

  std::string path_;
  StateStoreOptions options_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<Checkpointer> checkpointer_;  // after db_: stops before the database closes
  std::size_t rows_since_prune_ = 0;
  StateStoreStats stats_;
};

}  // namespace ebb::store
