// busbar::targets::Outbox — the durable list of deliveries still owed to function and HTTP
// targets (queue and bus targets are delivered inside PutEvents' own commit and never wait
// here).
//
// PutEvents adds one item per (event, target) in the same group commit as the event, so an
// acknowledged event's deliveries survive kill -9. A dispatcher (bus/server/dispatcher.h) asks
// for due items, tries them and then, in one write each, removes the item (delivered, or
// parked in its dead-letter queue) or reschedules it with the attempt counted and the next
// due time: a restart finds every pending retry as it was. An item being tried stays in the
// table until its outcome is written, so a crash mid-try tries it again (at least once).
//
// Table (migration "outbox" v1): outbox(id, target, rule_arn, target_arn, payload, event,
// dead_letter_queue, max_retry_attempts, max_event_age_s, created_ms, attempts,
// function_attempts, request_id, next_ms, last_error_code, last_error_message), indexed by
// next_ms.
//
// Threads: thread-safe. AddInTxn and the *InTxn mutators run inside the caller's Store write
// job (on the writer thread); Due reads on a read connection. Keeps the Store and Env given
// to Open, which must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "matcher/base/env.h"
#include "targets/sqlite.h"
#include "targets/store.h"

namespace busbar::targets {

// One delivery owed to one target.
struct OutboxItem {
  int64_t id = 0;                 // assigned by AddInTxn
  std::string target;             // the target's key in the routing: "<rule arn>|<target id>"
  std::string rule_arn;           // RULE_ARN of a dead-letter message
  std::string target_arn;         // TARGET_ARN of a dead-letter message
  std::string payload;            // what the target receives (the event, or its rendered input)
  std::string event;              // the event as accepted; "" when it is `payload`
  std::string dead_letter_queue;  // DeadLetterConfig's queue; "" for none
  int max_retry_attempts = 185;   // RetryPolicy, as when the event was routed
  int max_event_age_s = 86400;
  int64_t created_ms = 0;       // when the event was accepted: ages count from it
  int attempts = 0;             // tries of the target so far
  int function_attempts = 0;    // a function's own (asynchronous) invocations so far
  std::string request_id;       // a function invocation's id, the same on its retries
  int64_t next_ms = 0;          // due at; 0 = at once
  std::string last_error_code;  // the latest failure, for the dead-letter message
  std::string last_error_message;

  // The event as the target's dead-letter queue receives it.
  const std::string& original_event() const { return event.empty() ? payload : event; }
};

class Outbox {
 public:
  // Creates the table if needed. Errors: the store's.
  // `env` (nullptr = base::Env::Default()) times WaitForWork's deadline.
  static absl::StatusOr<std::unique_ptr<Outbox>> Open(Store* store, base::Env* env = nullptr);

  // Adds the items (ids assigned into them) inside the caller's write job; waiters wake
  // after the commit. REQUIRES: on the Store's writer thread.
  absl::Status AddInTxn(Db& db, std::vector<OutboxItem>& items);
  // Writes the item's attempts, next_ms, request id and last error. REQUIRES: as AddInTxn.
  absl::Status UpdateInTxn(Db& db, const OutboxItem& item);
  // Removes the item (delivered, dead-lettered or dropped). REQUIRES: as AddInTxn.
  absl::Status RemoveInTxn(Db& db, int64_t id);

  // Up to `limit` items due at `now_ms` (next_ms <= now_ms) whose ids are not in `skip`,
  // earliest first. With `next_due`, the same read also tells when the earliest later item
  // not in `skip` is due (ms since the epoch; unset when there is none, or when `limit` items
  // were due). Errors: the store's.
  absl::StatusOr<std::vector<OutboxItem>> Due(int64_t now_ms, size_t limit,
                                              const absl::flat_hash_set<int64_t>& skip,
                                              std::optional<int64_t>* next_due = nullptr) const;
  // Items in the table. Errors: the store's.
  absl::StatusOr<int64_t> Count() const;

  // Waits until items were added since the last call returned, the Env's clock reaches
  // `deadline_ms` (ms since the epoch) or Wake().
  void WaitForWork(int64_t deadline_ms);
  void Wake();

 private:
  Outbox(Store* store, base::Env* env) : store_(store), env_(env) {}

  Store* const store_;
  base::Env* const env_;
  absl::Mutex mu_;
  bool work_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace busbar::targets
