// The event log; see event_log.h.
#include "targets/event_log.h"

#include <optional>
#include <utility>

namespace busbar::targets {
namespace {

// Version 1 is the table the bus kept before the log moved here; unchanged.
constexpr std::string_view kSchemaV1 =
    "CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, "
    "bus TEXT NOT NULL, received_ms INTEGER NOT NULL, body TEXT NOT NULL)";

// The received_ms of the first event with seq >= `seq`, or nullopt past the end.
absl::StatusOr<std::optional<std::pair<int64_t, int64_t>>> FirstFrom(Db& db, int64_t seq) {
  absl::StatusOr<Stmt*> st =
      db.Prepare("SELECT seq, received_ms FROM events WHERE seq >= ? ORDER BY seq LIMIT 1");
  if (!st.ok()) return st.status();
  (*st)->Bind(1, seq);
  absl::StatusOr<bool> row = (*st)->Step();
  if (!row.ok()) return row.status();
  std::optional<std::pair<int64_t, int64_t>> out;
  if (*row) out = std::make_pair((*st)->Int(0), (*st)->Int(1));
  (*st)->Reset();
  return out;
}

// The first seq whose event was received at or after `cutoff_ms` (or one past the last
// event): a binary search over seq, which grows with received_ms (one writer, one clock; a
// clock stepping back only delays pruning).
absl::StatusOr<int64_t> Boundary(Db& db, int64_t cutoff_ms) {
  auto first = FirstFrom(db, 0);
  if (!first.ok()) return first.status();
  if (!first->has_value()) return 0;
  absl::StatusOr<Stmt*> max = db.Prepare("SELECT MAX(seq) FROM events");
  if (!max.ok()) return max.status();
  absl::StatusOr<bool> row = (*max)->Step();
  if (!row.ok()) return row.status();
  int64_t lo = (*first)->first, hi = (*max)->Int(0) + 1;  // answer in [lo, hi]
  (*max)->Reset();
  while (lo < hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    auto at = FirstFrom(db, mid);
    if (!at.ok()) return at.status();
    if (!at->has_value() || (*at)->second >= cutoff_ms) {
      hi = mid;
    } else {
      lo = (*at)->first + 1;
    }
  }
  return lo;
}

}  // namespace

absl::StatusOr<std::unique_ptr<EventLog>> EventLog::Open(Store* store) {
  absl::Status s = store->Write([](Db& db) { return MigrateInTxn(db); });
  if (!s.ok()) return s;
  return std::unique_ptr<EventLog>(new EventLog(store));
}

absl::Status EventLog::MigrateInTxn(Db& db) { return db.Migrate("events", {kSchemaV1}); }

absl::StatusOr<int64_t> EventLog::AppendInTxn(Db& db, const LogEntry& e) {
  absl::StatusOr<Stmt*> insert =
      db.Prepare("INSERT INTO events (id, bus, received_ms, body) VALUES (?, ?, ?, ?)");
  if (!insert.ok()) return insert.status();
  (*insert)->Bind(1, e.id).Bind(2, e.bus).Bind(3, e.received_ms).Bind(4, e.body);
  if (absl::Status s = (*insert)->Run(); !s.ok()) return s;
  return db.LastInsertRowId();
}

absl::StatusOr<int64_t> EventLog::Prune(int64_t cutoff_ms, int64_t limit) {
  int64_t deleted = 0;
  absl::Status s = store_->Write([&](Db& db) -> absl::Status {
    absl::StatusOr<int64_t> boundary = Boundary(db, cutoff_ms);
    if (!boundary.ok()) return boundary.status();
    // Oldest first; a queue message's reference is found through its index on event_seq
    // (queues.cc). Referenced events stay until their messages are gone.
    absl::StatusOr<Stmt*> del = db.Prepare(
        "DELETE FROM events WHERE seq IN (SELECT e.seq FROM events e WHERE e.seq < ? "
        "AND NOT EXISTS (SELECT 1 FROM queue_messages m WHERE m.event_seq = e.seq) "
        "ORDER BY e.seq LIMIT ?)");
    if (!del.ok()) return del.status();
    if (absl::Status r = (*del)->Bind(1, *boundary).Bind(2, limit).Run(); !r.ok()) return r;
    deleted = db.Changes();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return deleted;
}

absl::StatusOr<int64_t> EventLog::Count() {
  int64_t n = 0;
  absl::Status s = store_->Read([&](Db& db) -> absl::Status {
    absl::StatusOr<Stmt*> st = db.Prepare("SELECT COUNT(*) FROM events");
    if (!st.ok()) return st.status();
    absl::StatusOr<bool> row = (*st)->Step();
    if (!row.ok()) return row.status();
    n = (*st)->Int(0);
    (*st)->Reset();
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace busbar::targets
