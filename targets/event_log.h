// busbar::targets::EventLog — the durable log of accepted events, table `events` of the Store.
//
// Every event the bus acknowledges is appended here, in the same write job (and so the same
// transaction) as its queue deliveries. A queue message whose body is the event itself does
// not copy it: it names the event's log sequence number (Delivery::event_seq in queues.h), so
// an event matched by several rules is written once. The log keeps an event while any queue
// message refers to it, and for at least the retention given to Prune after it was received.
//
//   auto log = EventLog::Open(store);
//   store->Write([&](Db& db) {
//     auto seq = (*log)->AppendInTxn(db, {"id", "default", received_ms, body});
//     ...  // deliveries with event_seq = *seq
//   });
//   (*log)->Prune(now_ms - retention_ms);  // periodically
//
// Threads: EventLog is thread-safe; AppendInTxn runs on the Store's writer thread (inside a
// job). It keeps a pointer to the Store, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "targets/sqlite.h"
#include "targets/store.h"

namespace busbar::targets {

struct LogEntry {
  std::string_view id;   // the event's id (uuid)
  std::string_view bus;  // the bus it was put on
  int64_t received_ms = 0;
  std::string_view body;  // the event JSON (envelope)
};

class EventLog {
 public:
  // Creates the `events` table (migration "events") if needed.
  static absl::StatusOr<std::unique_ptr<EventLog>> Open(Store* store);

  // Creates or upgrades the `events` table inside a write job (Open does this; Queues::Open
  // too, since queue messages name events).
  static absl::Status MigrateInTxn(Db& db);

  // Appends one event inside the caller's write job; returns its sequence number (> 0).
  // REQUIRES: runs on the Store's writer thread (inside a job).
  absl::StatusOr<int64_t> AppendInTxn(Db& db, const LogEntry& entry);

  // Deletes up to `limit` events received before `cutoff_ms` that no queue message refers
  // to, oldest first; returns how many. Call it again while it returns `limit`.
  absl::StatusOr<int64_t> Prune(int64_t cutoff_ms, int64_t limit = 10000);

  // Events in the log (for tests and stats).
  absl::StatusOr<int64_t> Count();

 private:
  explicit EventLog(Store* store) : store_(store) {}
  Store* const store_;
};

}  // namespace busbar::targets
