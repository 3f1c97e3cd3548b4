// busbar::targets::Queues — durable SQS-like queues kept in a Store.
//
// Semantics follow Amazon SQS standard queues: at-least-once delivery; a received message gets a
// fresh receipt handle, its ApproximateReceiveCount goes up and it is invisible until now +
// visibility timeout; DeleteMessage/ChangeMessageVisibility take the latest receipt handle (an
// older one of a re-received message is ReceiptHandleIsInvalid); with a RedrivePolicy a message
// that would be received more than maxReceiveCount times moves to the dead-letter queue instead
// (keeping its MessageId, body and SentTimestamp; its receive count restarts at 0); messages older
// than MessageRetentionPeriod are never received again and are deleted by DropExpired (which the
// daemon runs periodically). Long polling waits on a notification sent after a commit that adds
// messages to the queue, bounded by the wait time. Not supported (yet): FIFO queues, DelaySeconds,
// message attributes, SetQueueAttributes.
//
// Sending: SendMessage is its own write; EnqueueInTxn adds messages inside a write job the caller
// already runs, so the bus commits events and their queue deliveries in one transaction.
//
// Errors name the queue and limit, with the SQS error code first:
//   NotFound         "AWS.SimpleQueueService.NonExistentQueue: queue 'x' does not exist"
//   InvalidArgument  "InvalidParameterValue: VisibilityTimeout must be between 0 and 43200 …",
//                    "ReceiptHandleIsInvalid: …"
//   AlreadyExists    "QueueAlreadyExists: …" (CreateQueue with other attributes)
//   Unavailable/Internal from the store.
//
// Threads: Queues is thread-safe. It keeps a pointer to the Store and Clock given at Open, which
// must outlive it. REQUIRES before destruction: no call in flight (call Shutdown() first to end
// long polls early).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "targets/clock.h"
#include "targets/sqlite.h"
#include "targets/store.h"

namespace busbar::targets {

inline constexpr int kMaxVisibilityTimeout = 43200;     // seconds (12 h)
inline constexpr int kMinRetentionPeriod = 60;          // seconds
inline constexpr int kMaxRetentionPeriod = 1209600;     // seconds (14 days)
inline constexpr int kMaxReceiveWaitTime = 20;          // seconds
inline constexpr int kMaxMaxReceiveCount = 1000;        // RedrivePolicy maxReceiveCount
inline constexpr int kMaxReceiveMessages = 10;          // per ReceiveMessage
inline constexpr size_t kMaxMessageBodyBytes = 262144;  // 256 KiB
inline constexpr size_t kMaxQueueNameLength = 80;

struct RedrivePolicy {
  std::string dead_letter_target_arn;  // arn:aws:sqs:<region>:<account>:<queue>
  int max_receive_count = 10;          // 1–1000
  bool operator==(const RedrivePolicy&) const = default;
};

struct QueueAttributes {
  int visibility_timeout = 30;                  // VisibilityTimeout, 0–43200 s
  int message_retention_period = 345600;        // MessageRetentionPeriod, 60–1209600 s
  int receive_message_wait_time_seconds = 0;    // ReceiveMessageWaitTimeSeconds, 0–20
  std::optional<RedrivePolicy> redrive_policy;  // RedrivePolicy
  bool operator==(const QueueAttributes&) const = default;
};

// Checks every range above. Errors: InvalidArgument naming the attribute and its range.
absl::Status ValidateQueueAttributes(const QueueAttributes& attributes);
// 1–80 characters of [A-Za-z0-9_-]. Errors: InvalidArgument.
absl::Status ValidateQueueName(std::string_view name);

struct QueueDescription {
  std::string name;
  std::string arn;  // QueueArn
  QueueAttributes attributes;
  int64_t created_timestamp = 0;  // CreatedTimestamp, seconds since the epoch
  int64_t approximate_number_of_messages = 0;
  int64_t approximate_number_of_messages_not_visible = 0;
};

struct Message {
  std::string message_id;  // uuid v4
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;                          // lower-case hex
  int64_t sent_timestamp = 0;                       // ms since the epoch
  int64_t approximate_receive_count = 0;            // including this receive
  int64_t approximate_first_receive_timestamp = 0;  // ms since the epoch
};

// One message to add to a queue (EnqueueInTxn). `body` must stay valid during the call.
// With event_seq > 0 the body is that event of the EventLog (event_log.h), written in the
// same transaction: the message refers to it instead of copying it (`body` is then only
// checked against the size limit).
struct Delivery {
  std::string queue;
  std::string_view body;
  int64_t event_seq = 0;
};

struct ReceiveOptions {
  int max_number_of_messages = 1;         // 1–10
  std::optional<int> visibility_timeout;  // 0–43200; default: the queue's
  std::optional<int> wait_time_seconds;   // 0–20; default: ReceiveMessageWaitTimeSeconds
};

struct QueuesOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  Clock* clock = nullptr;  // default SystemClock()
};

class Queues {
 public:
  // Creates the queue tables (migration "queues") if needed. `store` must outlive the Queues.
  static absl::StatusOr<std::unique_ptr<Queues>> Open(Store* store, QueuesOptions options);
  ~Queues();

  // Creates `name`; creating an existing queue with the same attributes succeeds (SQS).
  // Errors: InvalidArgument (name, attribute range, RedrivePolicy whose dead-letter queue is not
  // an existing queue of this account/region, or is the queue itself), AlreadyExists.
  absl::Status CreateQueue(std::string_view name, const QueueAttributes& attributes = {});
  // Deletes the queue and its messages. Errors: NotFound.
  absl::Status DeleteQueue(std::string_view name);
  // Names starting with `prefix`, sorted.
  absl::StatusOr<std::vector<std::string>> ListQueues(std::string_view prefix = "");
  // Attributes and approximate counts. Errors: NotFound.
  absl::StatusOr<QueueDescription> GetQueueAttributes(std::string_view name);
  std::string QueueArn(std::string_view name) const;

  // Adds one message per delivery inside the caller's write job; waiters are notified after the
  // transaction commits. Appends the message ids to `message_ids` if not null.
  // With `skipped`, a delivery to a queue that does not exist is left out and its index in
  // `deliveries` appended there (the bus keeps ingesting when a target queue was deleted);
  // without it, that is an error. Errors: NotFound (unknown queue), InvalidArgument (empty
  // body or more than 256 KiB); on error the caller's job should fail so its savepoint drops
  // the partial work. REQUIRES: runs on the Store's writer thread (inside a job).
  absl::Status EnqueueInTxn(Db& db, const std::vector<Delivery>& deliveries,
                            std::vector<std::string>* message_ids = nullptr,
                            std::vector<size_t>* skipped = nullptr);
  // Sends one message and waits for it to commit. Returns its MessageId.
  absl::StatusOr<std::string> SendMessage(std::string_view queue, std::string_view body);

  // Receives up to max_number_of_messages visible messages, waiting up to the wait time for one
  // to arrive if none is visible. The answer does not wait for the fsync of the receive's own
  // changes (Store::Durability::kCommitted): a power loss right after may undo them, making the
  // message visible again with its old receive count, which at-least-once delivery allows.
  // Errors: NotFound, InvalidArgument (ranges).
  absl::StatusOr<std::vector<Message>> ReceiveMessages(std::string_view queue,
                                                       const ReceiveOptions& options = {});
  // Deletes the message whose latest receipt handle is `receipt_handle`; deleting a message that
  // is already gone succeeds (SQS). Errors: NotFound (queue), InvalidArgument
  // "ReceiptHandleIsInvalid" (malformed, other queue's, or superseded by a later receive).
  absl::Status DeleteMessage(std::string_view queue, std::string_view receipt_handle);
  // Makes the message visible again after `visibility_timeout` seconds (0–43200) from now.
  // Errors: NotFound (queue), InvalidArgument (range, ReceiptHandleIsInvalid, message gone).
  absl::Status ChangeMessageVisibility(std::string_view queue, std::string_view receipt_handle,
                                       int visibility_timeout);
  // Deletes every message of the queue. Errors: NotFound.
  absl::Status PurgeQueue(std::string_view queue);
  // Deletes the messages of every queue older than its retention period that are not in flight
  // (an expired message in flight goes once its visibility timeout ends); returns how many.
  absl::StatusOr<int64_t> DropExpired();

  // Ends all long polls (they return what they have) and makes new ones return at once.
  void Shutdown();

 private:
  struct ReceiveResult;
  Queues(Store* store, QueuesOptions options);

  absl::Status ReceiveOnce(Db& db, std::string_view queue, const ReceiveOptions& options,
                           ReceiveResult& result);
  uint64_t Generation(const std::string& queue);
  void Notify(const std::vector<std::string>& queues);

  Store* const store_;
  const QueuesOptions options_;

  absl::Mutex waiters_mu_;
  absl::flat_hash_map<std::string, uint64_t> generations_ ABSL_GUARDED_BY(waiters_mu_);
  bool shut_down_ ABSL_GUARDED_BY(waiters_mu_) = false;
  absl::CondVar waiters_cv_;  // signalled when a generation changes or on Shutdown
};

}  // namespace busbar::targets
