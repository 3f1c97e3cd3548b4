// Internal: the SQLite RAII wrapper (see sqlite.h).
#include "targets/sqlite.h"

#include <sqlite3.h>

#include <string>
#include <utility>

namespace busbar::targets {

absl::Status SqliteStatus(int rc, sqlite3* db, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return absl::OkStatus();
  std::string message(context);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(message);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return absl::AlreadyExistsError(message);
      }
      return absl::FailedPreconditionError(message);
    default:
      return absl::InternalError(message);
  }
}

Stmt::~Stmt() { sqlite3_finalize(stmt_); }

Stmt& Stmt::Bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(rc, db_, "bind");
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(rc, db_, "bind");
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK && bind_status_.ok()) bind_status_ = SqliteStatus(rc, db_, "bind");
  return *this;
}

absl::StatusOr<bool> Stmt::Step() {
  if (!bind_status_.ok()) return bind_status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code; the message names the statement.
  std::string context = "sqlite step '";
  context += sqlite3_sql(stmt_);
  context += "'";
  absl::Status status = SqliteStatus(rc, db_, context);
  sqlite3_reset(stmt_);
  return status;
}

absl::Status Stmt::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_status_ = absl::OkStatus();
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string_view Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;  // one thread at a time per connection (see sqlite.h)
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status status = SqliteStatus(rc, raw, "open '" + path + "'");
    sqlite3_close(raw);
    return status;
  }
  sqlite3_extended_result_codes(raw, 1);
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  std::string pragmas = "PRAGMA foreign_keys=ON;";
  if (!options.read_only) {
    pragmas += "PRAGMA journal_mode=WAL;";
    // The writer's page cache: index pages and the table tails stay in memory between
    // batches instead of being read back from the OS (default is 2 MB).
    pragmas += "PRAGMA cache_size=-32768;";
    pragmas += options.synchronous == DbOptions::Sync::kFull     ? "PRAGMA synchronous=FULL;"
               : options.synchronous == DbOptions::Sync::kNormal ? "PRAGMA synchronous=NORMAL;"
                                                                 : "PRAGMA synchronous=OFF;";
    // Records the WAL size after each commit. Installing a WAL hook is what turns the
    // automatic checkpoint off (it is itself a WAL hook).
    if (!options.auto_checkpoint) {
      sqlite3_wal_hook(
          raw,
          +[](void* self, sqlite3*, const char*, int frames) {
            static_cast<Db*>(self)->wal_frames_ = frames;
            return SQLITE_OK;
          },
          db.get());
    }
  }
  if (absl::Status s = db->Exec(pragmas); !s.ok()) return s;
  return db;
}

Db::~Db() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

absl::Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return absl::OkStatus();
  std::string context = "sqlite exec '" + text + "'";
  sqlite3_free(error);
  return SqliteStatus(rc, db_, context);
}

absl::StatusOr<Stmt*> Db::Prepare(std::string_view sql) {
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end()) {
    it->second->Reset();
    return it->second.get();
  }
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "sqlite prepare '" + key + "'");
  auto stmt = std::make_unique<Stmt>(db_, raw);
  Stmt* result = stmt.get();
  cache_.emplace(std::move(key), std::move(stmt));
  return result;
}

void Db::ResetBusyStatements() {
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st != nullptr;
       st = sqlite3_next_stmt(db_, st)) {
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
  }
}

absl::StatusOr<int> Db::CheckpointPassive() {
  int log = 0, done = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
  if (rc != SQLITE_OK) return SqliteStatus(rc, db_, "checkpoint");
  return log > done ? log - done : 0;
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

absl::Status Db::Migrate(std::string_view component, const std::vector<std::string_view>& steps) {
  if (absl::Status s = Exec("CREATE TABLE IF NOT EXISTS schema_version("
                            "component TEXT PRIMARY KEY, version INTEGER NOT NULL)");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<Stmt*> get = Prepare("SELECT version FROM schema_version WHERE component=?");
  if (!get.ok()) return get.status();
  (*get)->Bind(1, component);
  absl::StatusOr<bool> row = (*get)->Step();
  if (!row.ok()) return row.status();
  int64_t version = *row ? (*get)->Int(0) : 0;
  (*get)->Reset();
  if (version > static_cast<int64_t>(steps.size())) {
    return absl::FailedPreconditionError("schema of '" + std::string(component) + "' is version " +
                                         std::to_string(version) + ", newer than this binary's " +
                                         std::to_string(steps.size()));
  }
  for (size_t v = static_cast<size_t>(version); v < steps.size(); ++v) {
    if (absl::Status s = Exec(steps[v]); !s.ok()) return s;
  }
  if (version == static_cast<int64_t>(steps.size())) return absl::OkStatus();
  absl::StatusOr<Stmt*> put = Prepare(
      "INSERT INTO schema_version(component, version) VALUES(?, ?) "
      "ON CONFLICT(component) DO UPDATE SET version=excluded.version");
  if (!put.ok()) return put.status();
  return (*put)->Bind(1, component).Bind(2, static_cast<int64_t>(steps.size())).Run();
}

}  // namespace busbar::targets
