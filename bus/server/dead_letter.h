// Internal to bus/server. Dead-lettering a delivery that failed for good, as EventBridge does:
// the original event goes to the target's DeadLetterConfig queue with the message attributes
// RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS and (when retries ran out)
// EXHAUSTED_RETRY_CONDITION, in the same transaction that removes the outbox item, so a
// dead-lettered delivery is never tried again.
//
// Pure functions over the caller's write job; thread-compatible.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "targets/outbox.h"
#include "targets/queues.h"

namespace busbar::bus {

// The attributes of `item`'s dead-letter message. RETRY_ATTEMPTS counts the retries (tries
// after the first); `exhausted_condition` is "" when the failure was not retryable.
targets::MessageAttributes DeadLetterAttributes(const targets::OutboxItem& item,
                                                std::string_view exhausted_condition);

// Inside the caller's write job: `item.original_event()` into `queue` with `attributes`, then
// the item removed. `*queue_missing` tells whether the queue no longer exists (the message is
// then lost, which EventBridge counts as InvocationsFailedToBeSentToDLQ; the item is removed
// all the same). Errors: the store's. REQUIRES: on the Store's writer thread.
absl::Status DeadLetterInTxn(targets::Db& db, targets::Queues& queues, targets::Outbox& outbox,
                             const targets::OutboxItem& item, const std::string& queue,
                             const targets::MessageAttributes& attributes, bool* queue_missing);

}  // namespace busbar::bus
