#include "store/state_store.h"

#include <sqlite3.h>

#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ebb::store {
namespace {

constexpr std::array<core::NodeState, 8> kAllStates = {
    core::NodeState::kUnknown,  core::NodeState::kBusy,        core::NodeState::kOnline,
    core::NodeState::kOffline,  core::NodeState::kDown,        core::NodeState::kBooting,
    core::NodeState::kDraining, core::NodeState::kPoweringOff,
};

// "'UNKNOWN','BUSY',...": the states the schema's CHECK constraints accept.
std::string StateList() {
  std::string list;
  for (core::NodeState state : kAllStates) {
    if (!list.empty()) list += ',';
    list += fmt::format("'{}'", core::ToString(state));
  }
  return list;
}

std::string SchemaSql() {
  const std::string states = StateList();
  // STRICT: a value of the wrong type is an error, not silently stored. Doubles that are NaN
  // become NULL in SQLite, hence the nullable measurement columns.
  return fmt::format(R"sql(
CREATE TABLE nodes(
  name TEXT PRIMARY KEY CHECK (length(name) > 0),
  state TEXT NOT NULL CHECK (state IN ({0})),
  since REAL NOT NULL,
  deadline REAL,
  boots INTEGER NOT NULL DEFAULT 0 CHECK (boots >= 0),
  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  power_ons INTEGER NOT NULL DEFAULT 0,
  power_offs INTEGER NOT NULL DEFAULT 0,
  updated_at REAL NOT NULL
) STRICT;
CREATE TABLE transitions(
  id INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  node TEXT NOT NULL CHECK (length(node) > 0),
  from_state TEXT NOT NULL CHECK (from_state IN ({0})),
  to_state TEXT NOT NULL CHECK (to_state IN ({0})),
  reason TEXT NOT NULL
) STRICT;
CREATE TABLE decisions(
  id INTEGER PRIMARY KEY,
  at REAL NOT NULL,
  policy TEXT NOT NULL,
  rate_rps REAL,
  expected_rps REAL,
  serving INTEGER NOT NULL,
  booting INTEGER NOT NULL,
  policy_target INTEGER NOT NULL,
  target INTEGER NOT NULL,
  actions TEXT NOT NULL CHECK (json_valid(actions)),
  reason TEXT NOT NULL
) STRICT;
CREATE TABLE meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
PRAGMA user_version = {1};
)sql",
                     states, StateStore::kSchemaVersion);
}

core::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
      return core::StatusCode::kUnavailable;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_CANTOPEN:
    case SQLITE_TOOBIG:
      return core::StatusCode::kInvalidArgument;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return core::StatusCode::kFailedPrecondition;
    default:
      return core::StatusCode::kInternal;
  }
}

// Owns a prepared statement; prepared once, reset after every use.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& other) noexcept : stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt_, other.stmt_);
    return *this;
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement and drops its bindings when a use of it ends, whichever way it ends.
class StatementUse {
 public:
  explicit StatementUse(const Statement& statement) : stmt_(statement.get()) {}
  ~StatementUse() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

// Texts bound with SQLITE_STATIC live until the statement is reset (the caller's strings).
void BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}
void BindInt(sqlite3_stmt* stmt, int index, std::int64_t value) {
  sqlite3_bind_int64(stmt, index, value);
}
void BindUint(sqlite3_stmt* stmt, int index, std::uint64_t value) {
  sqlite3_bind_int64(stmt, index, static_cast<std::int64_t>(value));
}
void BindDouble(sqlite3_stmt* stmt, int index, double value) {
  sqlite3_bind_double(stmt, index, value);
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}
double ColumnDouble(sqlite3_stmt* stmt, int column, double if_null) {
  if (sqlite3_column_type(stmt, column) == SQLITE_NULL) return if_null;
  return sqlite3_column_double(stmt, column);
}
std::uint64_t ColumnUint(sqlite3_stmt* stmt, int column) {
  const std::int64_t value = sqlite3_column_int64(stmt, column);
  return value < 0 ? 0 : static_cast<std::uint64_t>(value);
}

constexpr const char* kUpsertNode = R"sql(
INSERT INTO nodes(name, state, since, deadline, boots, failures, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT(name) DO UPDATE SET state = excluded.state, since = excluded.since,
  deadline = excluded.deadline, boots = excluded.boots, failures = excluded.failures,
  updated_at = excluded.updated_at)sql";

constexpr const char* kInsertTransition = R"sql(
INSERT INTO transitions(at, node, from_state, to_state, reason) VALUES (?1, ?2, ?3, ?4, ?5))sql";

// A node first seen in a transition gets a row in the transition's target state.
constexpr const char* kCountPower = R"sql(
INSERT INTO nodes(name, state, since, deadline, power_ons, power_offs, updated_at)
VALUES (?1, ?2, ?3, NULL, ?4, ?5, ?3)
ON CONFLICT(name) DO UPDATE SET power_ons = power_ons + excluded.power_ons,
  power_offs = power_offs + excluded.power_offs)sql";

constexpr const char* kInsertDecision = R"sql(
INSERT INTO decisions(at, policy, rate_rps, expected_rps, serving, booting, policy_target,
  target, actions, reason)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql";

constexpr const char* kUpsertMeta = R"sql(
INSERT INTO meta(key, value) VALUES (?1, ?2)
ON CONFLICT(key) DO UPDATE SET value = excluded.value)sql";

// Keeps the newest ?1 rows: everything older than the ?1-th newest id goes.
constexpr const char* kPruneDecisions = R"sql(
DELETE FROM decisions WHERE id < (SELECT id FROM decisions ORDER BY id DESC LIMIT 1 OFFSET ?1))sql";
constexpr const char* kPruneTransitions = R"sql(
DELETE FROM transitions
WHERE id < (SELECT id FROM transitions ORDER BY id DESC LIMIT 1 OFFSET ?1))sql";

constexpr const char* kSelectNodes = R"sql(
SELECT name, state, since, deadline, boots, failures, power_ons, power_offs, updated_at
FROM nodes ORDER BY name)sql";
constexpr const char* kSelectMeta = "SELECT value FROM meta WHERE key = ?1";
constexpr const char* kSelectAllMeta = "SELECT key, value FROM meta ORDER BY key";
constexpr const char* kSelectDecisions = R"sql(
SELECT id, at, policy, rate_rps, expected_rps, serving, booting, policy_target, target, actions,
  reason
FROM decisions ORDER BY id DESC LIMIT ?1)sql";
constexpr const char* kSelectTransitions = R"sql(
SELECT id, at, node, from_state, to_state, reason FROM transitions ORDER BY id DESC LIMIT ?1)sql";

}  // namespace

core::Result<core::NodeState> ParseNodeState(std::string_view text) {
  for (core::NodeState state : kAllStates) {
    if (core::ToString(state) == text) return state;
  }
  return core::InvalidArgumentError(fmt::format("unknown node state '{}'", text));
}

// The connection and its prepared statements. The connection is the first member so that it
// closes after every statement is finalized.
class StateStore::Db {
 public:
  explicit Db(std::string path) : path_(std::move(path)) {}

  core::Status Open() {
    sqlite3* handle = nullptr;
    const int rc = sqlite3_open_v2(
        path_.c_str(), &handle,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE,
        nullptr);
    connection_.handle = handle;  // closed by Connection even when opening failed
    if (rc != SQLITE_OK) return Error(rc, "cannot open");
    return core::Status::Ok();
  }

  sqlite3* handle() const { return connection_.handle; }
  const std::string& path() const { return path_; }

  core::Status Error(int rc, std::string_view what) const {
    const char* message = handle() != nullptr ? sqlite3_errmsg(handle()) : sqlite3_errstr(rc);
    return core::Status(CodeFor(rc), fmt::format("{}: {}: {}", path_, what, message));
  }

  core::Status Exec(const std::string& sql, std::string_view what) const {
    const int rc = sqlite3_exec(handle(), sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return Error(rc, what);
    return core::Status::Ok();
  }

  core::Status Prepare(const char* sql, Statement& into) const {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, "cannot prepare a statement");
    into = Statement(stmt);
    return core::Status::Ok();
  }

  // Runs a statement that returns no rows. The message is built only on failure: `what`, then
  // `name` in quotes when given ("node 'web3'").
  core::Status Run(const StatementUse& use, std::string_view what,
                   std::string_view name = {}) const {
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return core::Status::Ok();
    if (name.empty()) return Error(rc, what);
    return Error(rc, fmt::format("{} '{}'", what, name));
  }

  // One row with one column of a pragma or a query, as text ("" when there is no row).
  core::Result<std::string> QueryText(const std::string& sql, std::string_view what) const {
    Statement statement;
    EBB_RETURN_IF_ERROR(Prepare(sql.c_str(), statement));
    StatementUse use(statement);
    const int rc = sqlite3_step(use.get());
    if (rc == SQLITE_DONE) return std::string();
    if (rc != SQLITE_ROW) return Error(rc, what);
    return ColumnText(use.get(), 0);
  }

 private:
  struct Connection {
    ~Connection() { sqlite3_close(handle); }
    sqlite3* handle = nullptr;
  };
  Connection connection_;  // declared first: destroyed after the statements below
  std::string path_;

 public:
  Statement begin, commit, rollback;
  Statement upsert_node, insert_transition, count_power, insert_decision, upsert_meta;
  Statement prune_decisions, prune_transitions;
  Statement select_nodes, select_meta, select_all_meta, select_decisions, select_transitions;
};

// Copies the WAL back into the database file on its own thread and connection when the WAL has
// grown past `checkpoint_pages`. PASSIVE: it never waits for, or blocks, the ticks' writes; a
// checkpoint that could not finish is simply asked for again after the next tick.
class StateStore::Checkpointer {
 public:
  static core::Result<std::unique_ptr<Checkpointer>> Start(const std::string& path,
                                                           const StateStoreOptions& options) {
    std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(path, options.checkpoint_pages));
    EBB_RETURN_IF_ERROR(checkpointer->db_.Open());
    sqlite3_busy_timeout(checkpointer->db_.handle(), options.busy_timeout_ms);
    EBB_RETURN_IF_ERROR(
        checkpointer->db_.Exec("PRAGMA cache_size=-64", "cannot set the cache size"));
    // A connection learns that the file is in WAL mode on its first read; until then a
    // checkpoint would be a no-op.
    EBB_ASSIGN_OR_RETURN(std::string ignored,
                         checkpointer->db_.QueryText("PRAGMA user_version", "cannot read"));
    checkpointer->thread_ = std::thread([raw = checkpointer.get()] { raw->Run(); });
    return checkpointer;
  }

  ~Checkpointer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  // sqlite3_wal_hook: called on the ticks' thread after every commit with the WAL's size.
  static int OnCommit(void* self, sqlite3*, const char*, int wal_pages) {
    auto* checkpointer = static_cast<Checkpointer*>(self);
    if (wal_pages >= checkpointer->checkpoint_pages_) {
      {
        std::lock_guard lock(checkpointer->mutex_);
        checkpointer->requested_ = true;
      }
      checkpointer->wake_.notify_one();
    }
    return SQLITE_OK;
  }

  std::uint64_t checkpoints() const { return checkpoints_.load(); }
  std::uint64_t failures() const { return failures_.load(); }

 private:
  Checkpointer(const std::string& path, int checkpoint_pages)
      : db_(path), checkpoint_pages_(checkpoint_pages) {}

  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return requested_ || stopping_; });
      if (stopping_) return;
      requested_ = false;
      lock.unlock();
      int wal_frames = 0;
      int copied_frames = 0;
      const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                               &wal_frames, &copied_frames);
      if (rc != SQLITE_OK) {
        ++failures_;
      } else if (copied_frames > 0) {
        ++checkpoints_;
      }
      lock.lock();
    }
  }

  Db db_;  // used only by thread_
  const int checkpoint_pages_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> checkpoints_ = 0;
  std::atomic<std::uint64_t> failures_ = 0;
  std::thread thread_;
};

core::Result<std::unique_ptr<StateStore>> StateStore::Open(const std::string& path,
                                                           StateStoreOptions options) {
  if (options.max_decisions == 0 || options.max_transitions == 0 || options.prune_every_rows == 0) {
    return core::InvalidArgumentError(
        path + ": max_decisions, max_transitions and prune_every_rows must be at least 1");
  }
  auto db = std::make_unique<Db>(path);
  EBB_RETURN_IF_ERROR(db->Open());
  sqlite3_busy_timeout(db->handle(), options.busy_timeout_ms);

  // The first read of the file: a file that is not a database fails here.
  auto read_version = [&db]() -> core::Result<int> {
    EBB_ASSIGN_OR_RETURN(std::string text,
                         db->QueryText("PRAGMA user_version", "cannot read the schema version"));
    int version = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
    if (error != std::errc() || end != text.data() + text.size()) {
      return core::InvalidArgumentError(
          fmt::format("{}: schema version '{}' is not a number", db->path(), text));
    }
    return version;
  };
  EBB_ASSIGN_OR_RETURN(int version, read_version());
  if (version > kSchemaVersion) {
    return core::FailedPreconditionError(fmt::format(
        "{}: schema version {} is newer than this ebb's ({}): it was written by a newer ebb", path,
        version, kSchemaVersion));
  }
  EBB_ASSIGN_OR_RETURN(std::string check,
                       db->QueryText("PRAGMA quick_check", "cannot check the database"));
  if (check != "ok") {
    return core::InvalidArgumentError(fmt::format("{}: corrupt database: {}", path, check));
  }
  // Another application's database is refused before anything is written to it.
  auto find_table = [&db]() {
    return db->QueryText("SELECT name FROM sqlite_schema WHERE type = 'table' LIMIT 1",
                         "cannot list tables");
  };
  auto foreign = [&path](const std::string& table) {
    return core::InvalidArgumentError(fmt::format(
        "{}: not an ebb state store: it has tables (such as '{}') but no schema version", path,
        table));
  };
  if (version == 0) {
    EBB_ASSIGN_OR_RETURN(std::string any_table, find_table());
    if (!any_table.empty()) return foreign(any_table);
  }
  EBB_ASSIGN_OR_RETURN(std::string journal,
                       db->QueryText("PRAGMA journal_mode=WAL", "cannot set the journal mode"));
  if (journal != "wal") {
    return core::FailedPreconditionError(fmt::format(
        "{}: the file system refuses a WAL journal (journal mode '{}')", path, journal));
  }
  EBB_RETURN_IF_ERROR(db->Exec(options.durability == Durability::kPowerLoss
                                   ? "PRAGMA synchronous=FULL"
                                   : "PRAGMA synchronous=NORMAL",
                               "cannot set synchronous"));
  // The daemon's working set is a few pages (the node rows, the newest decisions): a small page
  // cache keeps its memory bounded (the default is 2 MiB per connection).
  EBB_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-256", "cannot set the cache size"));

  if (version == 0) {
    // Two daemons may create the same new file at once: decide under the write lock.
    EBB_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE", "cannot begin creating the schema"));
    core::Status created = [&]() -> core::Status {
      EBB_ASSIGN_OR_RETURN(int locked_version, read_version());
      if (locked_version != 0) return core::Status::Ok();
      EBB_ASSIGN_OR_RETURN(std::string any_table, find_table());
      if (!any_table.empty()) return foreign(any_table);
      return db->Exec(SchemaSql(), "cannot create the schema");
    }();
    if (!created.ok()) {
      (void)db->Exec("ROLLBACK", "cannot roll back");
      return created;
    }
    EBB_RETURN_IF_ERROR(db->Exec("COMMIT", "cannot commit the schema"));
  }

  EBB_RETURN_IF_ERROR(db->Prepare("BEGIN IMMEDIATE", db->begin));
  EBB_RETURN_IF_ERROR(db->Prepare("COMMIT", db->commit));
  EBB_RETURN_IF_ERROR(db->Prepare("ROLLBACK", db->rollback));
  EBB_RETURN_IF_ERROR(db->Prepare(kUpsertNode, db->upsert_node));
  EBB_RETURN_IF_ERROR(db->Prepare(kInsertTransition, db->insert_transition));
  EBB_RETURN_IF_ERROR(db->Prepare(kCountPower, db->count_power));
  EBB_RETURN_IF_ERROR(db->Prepare(kInsertDecision, db->insert_decision));
  EBB_RETURN_IF_ERROR(db->Prepare(kUpsertMeta, db->upsert_meta));
  EBB_RETURN_IF_ERROR(db->Prepare(kPruneDecisions, db->prune_decisions));
  EBB_RETURN_IF_ERROR(db->Prepare(kPruneTransitions, db->prune_transitions));
  EBB_RETURN_IF_ERROR(db->Prepare(kSelectNodes, db->select_nodes));
  EBB_RETURN_IF_ERROR(db->Prepare(kSelectMeta, db->select_meta));
  EBB_RETURN_IF_ERROR(db->Prepare(kSelectAllMeta, db->select_all_meta));
  EBB_RETURN_IF_ERROR(db->Prepare(kSelectDecisions, db->select_decisions));
  EBB_RETURN_IF_ERROR(db->Prepare(kSelectTransitions, db->select_transitions));

  std::unique_ptr<StateStore> store(new StateStore(path, options, std::move(db)));
  // A previous run may have stopped with more rows than the limits (or with other limits).
  EBB_RETURN_IF_ERROR(store->db_->Exec("BEGIN IMMEDIATE", "cannot begin pruning"));
  core::Status pruned = store->Prune();
  if (!pruned.ok()) {
    (void)store->db_->Exec("ROLLBACK", "cannot roll back");
    return pruned;
  }
  EBB_RETURN_IF_ERROR(store->db_->Exec("COMMIT", "cannot commit pruning"));

  EBB_ASSIGN_OR_RETURN(store->checkpointer_, Checkpointer::Start(path, options));
  // Replaces SQLite's automatic checkpoint, which would run inside a tick's commit.
  sqlite3_wal_hook(store->db_->handle(), &Checkpointer::OnCommit, store->checkpointer_.get());
  return store;
}

StateStore::StateStore(std::string path, StateStoreOptions options, std::unique_ptr<Db> db)
    : path_(std::move(path)), options_(options), db_(std::move(db)) {}

StateStore::~StateStore() {
  // The last connection to close checkpoints the whole WAL and removes it: the checkpointer's
  // goes first, then the ticks' (db_).
  sqlite3_wal_hook(db_->handle(), nullptr, nullptr);
  checkpointer_.reset();
}

StateStoreStats StateStore::stats() const {
  StateStoreStats stats = stats_;
  if (checkpointer_ != nullptr) {
    stats.checkpoints = checkpointer_->checkpoints();
    stats.failed_checkpoints = checkpointer_->failures();
  }
  return stats;
}

core::Status StateStore::Commit(const TickWrite& tick) {
  if (tick.empty()) {
    ++stats_.empty_commits;
    return core::Status::Ok();
  }
  const std::size_t added = tick.transitions.size() + (tick.decision.has_value() ? 1 : 0);
  const bool prune = rows_since_prune_ + added >= options_.prune_every_rows;
  core::Status status = WriteTick(tick, prune);
  if (!status.ok()) {
    ++stats_.failed_commits;
    return status;
  }
  ++stats_.commits;
  if (prune) {
    ++stats_.prunes;
    rows_since_prune_ = 0;
  } else {
    rows_since_prune_ += added;
  }
  return core::Status::Ok();
}

core::Status StateStore::WriteTick(const TickWrite& tick, bool prune) {
  Db& db = *db_;
  {
    StatementUse use(db.begin);
    EBB_RETURN_IF_ERROR(db.Run(use, "cannot begin a tick"));
  }
  core::Status status = [&]() -> core::Status {
    for (const NodeWrite& node : tick.nodes) {
      StatementUse use(db.upsert_node);
      sqlite3_stmt* s = use.get();
      BindText(s, 1, node.name);
      BindText(s, 2, core::ToString(node.state));
      BindDouble(s, 3, node.since);
      if (std::isfinite(node.deadline)) BindDouble(s, 4, node.deadline);
      BindUint(s, 5, node.boots);
      BindUint(s, 6, node.failures);
      BindDouble(s, 7, tick.at);
      EBB_RETURN_IF_ERROR(db.Run(use, "node", node.name));
    }
    for (const TransitionWrite& transition : tick.transitions) {
      {
        StatementUse use(db.insert_transition);
        sqlite3_stmt* s = use.get();
        BindDouble(s, 1, transition.at);
        BindText(s, 2, transition.node);
        BindText(s, 3, core::ToString(transition.from));
        BindText(s, 4, core::ToString(transition.to));
        BindText(s, 5, transition.reason);
        EBB_RETURN_IF_ERROR(db.Run(use, "transition of", transition.node));
      }
      const bool power_on = transition.to == core::NodeState::kBooting;
      const bool power_off = transition.to == core::NodeState::kPoweringOff;
      if (!power_on && !power_off) continue;
      StatementUse use(db.count_power);
      sqlite3_stmt* s = use.get();
      BindText(s, 1, transition.node);
      BindText(s, 2, core::ToString(transition.to));
      BindDouble(s, 3, transition.at);
      BindInt(s, 4, power_on ? 1 : 0);
      BindInt(s, 5, power_off ? 1 : 0);
      EBB_RETURN_IF_ERROR(db.Run(use, "power count of", transition.node));
    }
    if (tick.decision.has_value()) {
      const control::DecisionRecord& d = *tick.decision;
      // Replace, not throw, on invalid UTF-8 in an action (server names come from outside).
      const std::string actions =
          nlohmann::json(d.actions).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      StatementUse use(db.insert_decision);
      sqlite3_stmt* s = use.get();
      BindDouble(s, 1, d.at);
      BindText(s, 2, d.policy);
      BindDouble(s, 3, d.rate_rps);
      BindDouble(s, 4, d.expected_rps);
      BindInt(s, 5, d.serving);
      BindInt(s, 6, d.booting);
      BindInt(s, 7, d.policy_target);
      BindInt(s, 8, d.target);
      BindText(s, 9, actions);
      BindText(s, 10, d.reason);
      EBB_RETURN_IF_ERROR(db.Run(use, "decision"));
    }
    for (const auto& [key, value] : tick.meta) {
      StatementUse use(db.upsert_meta);
      BindText(use.get(), 1, key);
      BindText(use.get(), 2, value);
      EBB_RETURN_IF_ERROR(db.Run(use, "meta", key));
    }
    if (prune) EBB_RETURN_IF_ERROR(Prune());
    StatementUse use(db.commit);
    return db.Run(use, "cannot commit a tick");
  }();
  if (!status.ok() && sqlite3_get_autocommit(db.handle()) == 0) {
    StatementUse use(db.rollback);
    (void)db.Run(use, "cannot roll back a tick");
  }
  return status;
}

core::Status StateStore::Prune() {
  {
    StatementUse use(db_->prune_decisions);
    BindUint(use.get(), 1, options_.max_decisions - 1);
    EBB_RETURN_IF_ERROR(db_->Run(use, "cannot delete old decisions"));
  }
  StatementUse use(db_->prune_transitions);
  BindUint(use.get(), 1, options_.max_transitions - 1);
  return db_->Run(use, "cannot delete old transitions");
}

core::Result<std::vector<StoredNode>> StateStore::LoadNodes() {
  std::vector<StoredNode> nodes;
  StatementUse use(db_->select_nodes);
  sqlite3_stmt* s = use.get();
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredNode node;
    node.name = ColumnText(s, 0);
    const std::string state = ColumnText(s, 1);
    auto parsed = ParseNodeState(state);
    if (!parsed.ok()) {
      return parsed.status().WithContext(fmt::format("{}: node '{}'", path_, node.name));
    }
    node.state = *parsed;
    node.since = ColumnDouble(s, 2, 0);
    node.deadline = ColumnDouble(s, 3, std::numeric_limits<double>::infinity());
    node.boots = ColumnUint(s, 4);
    node.failures = ColumnUint(s, 5);
    node.power_ons = ColumnUint(s, 6);
    node.power_offs = ColumnUint(s, 7);
    node.updated_at = ColumnDouble(s, 8, 0);
    nodes.push_back(std::move(node));
  }
  if (rc != SQLITE_DONE) return db_->Error(rc, "cannot read nodes");
  return nodes;
}

core::Result<std::optional<std::string>> StateStore::LoadMeta(std::string_view key) {
  StatementUse use(db_->select_meta);
  BindText(use.get(), 1, key);
  const int rc = sqlite3_step(use.get());
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db_->Error(rc, fmt::format("cannot read meta '{}'", key));
  return std::optional<std::string>(ColumnText(use.get(), 0));
}

core::Result<std::vector<std::pair<std::string, std::string>>> StateStore::LoadAllMeta() {
  std::vector<std::pair<std::string, std::string>> meta;
  StatementUse use(db_->select_all_meta);
  int rc;
  while ((rc = sqlite3_step(use.get())) == SQLITE_ROW) {
    meta.emplace_back(ColumnText(use.get(), 0), ColumnText(use.get(), 1));
  }
  if (rc != SQLITE_DONE) return db_->Error(rc, "cannot read meta");
  return meta;
}

core::Result<std::vector<StoredDecision>> StateStore::RecentDecisions(std::size_t limit) {
  std::vector<StoredDecision> decisions;
  StatementUse use(db_->select_decisions);
  sqlite3_stmt* s = use.get();
  BindUint(s, 1, limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredDecision decision;
    decision.id = sqlite3_column_int64(s, 0);
    control::DecisionRecord& r = decision.record;
    r.at = ColumnDouble(s, 1, 0);
    r.policy = ColumnText(s, 2);
    r.rate_rps = ColumnDouble(s, 3, std::nan(""));
    r.expected_rps = ColumnDouble(s, 4, std::nan(""));
    r.serving = sqlite3_column_int(s, 5);
    r.booting = sqlite3_column_int(s, 6);
    r.policy_target = sqlite3_column_int(s, 7);
    r.target = sqlite3_column_int(s, 8);
    const nlohmann::json actions = nlohmann::json::parse(ColumnText(s, 9), nullptr, false);
    if (!actions.is_array()) {
      return core::InvalidArgumentError(
          fmt::format("{}: decision {}: actions are not a JSON array", path_, decision.id));
    }
    for (const nlohmann::json& action : actions) {
      if (!action.is_string()) {
        return core::InvalidArgumentError(
            fmt::format("{}: decision {}: an action is not a string", path_, decision.id));
      }
      r.actions.push_back(action.get<std::string>());
    }
    r.reason = ColumnText(s, 10);
    decisions.push_back(std::move(decision));
  }
  if (rc != SQLITE_DONE) return db_->Error(rc, "cannot read decisions");
  return decisions;
}

core::Result<std::vector<StoredTransition>> StateStore::RecentTransitions(std::size_t limit) {
  std::vector<StoredTransition> transitions;
  StatementUse use(db_->select_transitions);
  sqlite3_stmt* s = use.get();
  BindUint(s, 1, limit);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    StoredTransition stored;
    stored.id = sqlite3_column_int64(s, 0);
    TransitionWrite& t = stored.transition;
    t.at = ColumnDouble(s, 1, 0);
    t.node = ColumnText(s, 2);
    for (auto [column, into] : {std::pair{3, &t.from}, std::pair{4, &t.to}}) {
      auto parsed = ParseNodeState(ColumnText(s, column));
      if (!parsed.ok()) {
        return parsed.status().WithContext(fmt::format("{}: transition {}", path_, stored.id));
      }
      *into = *parsed;
    }
    t.reason = ColumnText(s, 5);
    transitions.push_back(std::move(stored));
  }
  if (rc != SQLITE_DONE) return db_->Error(rc, "cannot read transitions");
  return transitions;
}

}  // namespace ebb::store
