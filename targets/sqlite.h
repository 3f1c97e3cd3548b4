// Internal to busbar::targets and busbar::registry (library busbar_sqlite): a small RAII
// wrapper over one SQLite connection. SQLite's types never appear here, so this header can be
// included anywhere without <sqlite3.h>.
//
// Db is one connection; Stmt is one prepared statement of it. Both are thread-compatible: one
// thread at a time (the Store gives its write connection to its writer thread only and each
// read connection to one reader at a time). SQLite errors are translated where they enter:
// SQLITE_BUSY/LOCKED -> Unavailable, UNIQUE/PRIMARY KEY constraint -> AlreadyExists, other
// constraints -> FailedPrecondition, everything else -> Internal with SQLite's message.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace busbar::targets {

// Translates a SQLite result code (and the connection's message, if `db` is not null) into an
// absl::Status whose message starts with `context`.
absl::Status SqliteStatus(int rc, sqlite3* db, std::string_view context);

// One prepared statement. Parameters are 1-based, columns 0-based (as in SQLite). A bind error
// is remembered and returned by the next Step()/Run(), so binds can be chained.
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& BindNull(int index);

  // Advances: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps until done (for statements that return no rows).
  absl::Status Run();
  // Clears the bindings and rewinds; Db::Prepare does this for you.
  void Reset();

  int64_t Int(int column) const;
  // Valid until the next Step/Reset.
  std::string_view Text(int column) const;
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  absl::Status bind_status_;
};

struct DbOptions {
  bool read_only = false;
  // PRAGMA synchronous: FULL (SQLite fsyncs the WAL at each commit), NORMAL (SQLite fsyncs
  // only around checkpoints; the Store fsyncs the WAL itself, off the writer thread) or OFF.
  // Ignored for read-only connections.
  enum class Sync { kOff, kNormal, kFull };
  Sync synchronous = Sync::kFull;
  int busy_timeout_ms = 5000;
  // SQLite's automatic checkpoint after a commit that leaves 1000+ pages in the WAL. The
  // Store turns it off on its writer and checkpoints from another thread (store.h).
  bool auto_checkpoint = true;
};

// One SQLite connection in WAL mode with foreign keys on.
class Db {
 public:
  // Opens (creating if allowed) the database file at `path`. Errors: Internal/Unavailable.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path,
                                                  const DbOptions& options);
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more SQL statements that return no rows.
  absl::Status Exec(std::string_view sql);

  // Returns a cached prepared statement for `sql`, reset and with no bindings. The pointer is
  // owned by the Db and valid until it closes. REQUIRES: the previous use of the same SQL text
  // is finished (copy rows out before preparing the same text again).
  absl::StatusOr<Stmt*> Prepare(std::string_view sql);

  // Resets every statement still in progress, so no half-read SELECT keeps a read transaction
  // (and its old snapshot) open. The Store calls it after each job batch and each read.
  void ResetBusyStatements();

  // Pages in the WAL after this connection's last commit (0 before the first).
  int wal_frames() const { return wal_frames_; }
  // A PASSIVE checkpoint: copies the WAL pages no reader still needs into the database file
  // without waiting for (or blocking) the writer. Returns how many WAL pages are still not in
  // the database file (0: the next write transaction starts the WAL over).
  // Errors: Unavailable when another checkpoint is running.
  absl::StatusOr<int> CheckpointPassive();

  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;

  // Brings `component`'s tables to version steps.size(), running steps[v] for each version v
  // not yet applied and recording the result in the `schema_version` table. Runs in the
  // caller's transaction (inside a Store write job). Errors: FailedPrecondition when the file
  // holds a newer schema than this binary knows; any error of a step.
  absl::Status Migrate(std::string_view component, const std::vector<std::string_view>& steps);

  // Registers `hook` to run on the writer thread after the current transaction commits. A Store
  // discards the hooks of a job that fails (its savepoint is rolled back).
  void OnCommit(std::function<void()> hook) { on_commit_.push_back(std::move(hook)); }
  std::vector<std::function<void()>>& on_commit_hooks() { return on_commit_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  int wal_frames_ = 0;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  std::vector<std::function<void()>> on_commit_;
};

}  // namespace busbar::targets
