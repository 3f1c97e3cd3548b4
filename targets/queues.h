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
// messages to the queue, bounded by the wait time. Message attributes: String values only,
// written by the bus (dead-letter records carry RULE_ARN, ERROR_CODE, ...); SendMessage takes none.
// Not supported (yet): FIFO queues, DelaySeconds.
//
// Sending: SendMessage is its own write; EnqueueInTxn adds messages inside a write job the caller
// already runs, so the bus commits events and their queue deliveries in one transaction.
//
// Errors start with the SQS error code that proto/busbar/v1/queues.proto documents, then ": "
// and a reason naming the queue, attribute or limit:
//   NotFound           "QueueDoesNotExist: The specified queue x does not exist."
//   InvalidArgument    "InvalidParameterValue: …" (a request value, e.g. VisibilityTimeout of
//                      ReceiveMessages out of range, a malformed queue name),
//                      "InvalidAttributeValue: …" (a queue attribute out of range, a
//                      RedrivePolicy naming a missing queue), "InvalidMessageContents: …"
//                      (SendMessage's body), "ReceiptHandleIsInvalid: …"
//   AlreadyExists      "QueueNameExists: …" (CreateQueue with other attributes)
//   FailedPrecondition "MessageNotInflight: …" (ChangeMessageVisibility of a visible message)
//   ResourceExhausted  "OverLimit: …" (CreateQueue past QueuesOptions::max_queues)
//   Unavailable/Internal from the store.
//
// Threads: Queues is thread-safe. It keeps a pointer to the Store and Env given at Open, which
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
#include "matcher/base/env.h"
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

// The attributes a request names: CreateQueue's given attributes, SetQueueAttributes' changes.
// An unset field is not named. `redrive_policy` set to an empty optional names "no redrive".
struct QueueAttributeChanges {
  std::optional<int> visibility_timeout;
  std::optional<int> message_retention_period;
  std::optional<int> receive_message_wait_time_seconds;
  std::optional<std::optional<RedrivePolicy>> redrive_policy;

  bool empty() const;
  // `base` with the named attributes replaced.
  QueueAttributes ApplyTo(QueueAttributes base) const;
  // Whether every named attribute has its value in `attributes`.
  bool MatchedBy(const QueueAttributes& attributes) const;
};

// Checks every range above. Errors: InvalidArgument "InvalidAttributeValue: …" naming the
// attribute and its range.
absl::Status ValidateQueueAttributes(const QueueAttributes& attributes);
// 1–80 characters of [A-Za-z0-9_-]. Errors: InvalidArgument "InvalidParameterValue: …".
absl::Status ValidateQueueName(std::string_view name);
// A SendMessage body: 1 to 262144 bytes of UTF-8 whose characters SQS accepts (#x9 | #xA | #xD |
// #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF). Errors: InvalidArgument
// "InvalidMessageContents: …" naming the size or the first refused character and its offset.
absl::Status ValidateMessageBody(std::string_view body);
// MD5OfBody / MD5OfMessageBody as SQS reports it: the MD5 of the body's bytes, 32 lower-case hex
// digits.
std::string Md5OfBody(std::string_view body);

struct QueueDescription {
  std::string name;
  std::string arn;  // QueueArn
  QueueAttributes attributes;
  int64_t created_timestamp = 0;        // CreatedTimestamp, seconds since the epoch
  int64_t last_modified_timestamp = 0;  // LastModifiedTimestamp (creation or last change), same
  int64_t approximate_number_of_messages = 0;
  int64_t approximate_number_of_messages_not_visible = 0;
};

// SQS MessageAttributes of DataType String: (name, value) pairs, names unique.
using MessageAttributes = std::vector<std::pair<std::string, std::string>>;

// MD5OfMessageAttributes as SQS computes it (attributes sorted by name; for each the 4-byte
// big-endian length and bytes of the name, of the data type "String", the transport byte 1,
// and the length and bytes of the value); "" when there are none.
std::string Md5OfMessageAttributes(const MessageAttributes& attributes);

struct Message {
  std::string message_id;  // uuid v4
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;                          // lower-case hex
  int64_t sent_timestamp = 0;                       // ms since the epoch
  int64_t approximate_receive_count = 0;            // including this receive
  int64_t approximate_first_receive_timestamp = 0;  // ms since the epoch
  MessageAttributes message_attributes;             // sorted by name
  std::string md5_of_message_attributes;            // "" without attributes
};

// One message to add to a queue (EnqueueInTxn). `body` must stay valid during the call.
// With event_seq > 0 the body is that event of the EventLog (event_log.h), written in the
// same transaction: the message refers to it instead of copying it (`body` is then only
// checked against the size limit).
struct Delivery {
  std::string queue;
  std::string_view body;
  int64_t event_seq = 0;
  const MessageAttributes* attributes = nullptr;  // valid during the call; may be null
};

struct ReceiveOptions {
  int max_number_of_messages = 1;         // 1–10
  std::optional<int> visibility_timeout;  // 0–43200; default: the queue's
  std::optional<int> wait_time_seconds;   // 0–20; default: ReceiveMessageWaitTimeSeconds
};

struct QueuesOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  base::Env* env = nullptr;  // the clock; default base::Env::Default()
  // Most queues CreateQueue makes; 0 is no limit. Queues that exist beyond it (the limit was
  // lowered) stay.
  size_t max_queues = 0;
};

class Queues {
 public:
  // Creates the queue tables (migration "queues") if needed. `store` must outlive the Queues.
  static absl::StatusOr<std::unique_ptr<Queues>> Open(Store* store, QueuesOptions options);
  ~Queues();

  // Creates `name`; creating an existing queue with the same attributes succeeds (SQS).
  // Errors: InvalidArgument (name; attribute range or RedrivePolicy whose dead-letter queue is
  // not an existing queue of this account/region, or is the queue itself: InvalidAttributeValue),
  // AlreadyExists "QueueNameExists", ResourceExhausted "OverLimit".
  absl::Status CreateQueue(std::string_view name, const QueueAttributes& attributes = {});
  // SQS's CreateQueue: creates `name` with the `given` attributes (the others take their
  // defaults); if the queue exists, succeeds when each given attribute equals the queue's, else
  // AlreadyExists. Errors as above.
  absl::Status CreateQueue(std::string_view name, const QueueAttributeChanges& given);
  // Changes the named attributes of the queue, all or none, in one write; the others keep their
  // values and LastModifiedTimestamp becomes now (unless `changes` is empty, which only checks
  // that the queue exists). A new VisibilityTimeout applies to later receives.
  // Errors: NotFound; InvalidArgument "InvalidAttributeValue" (range; RedrivePolicy whose
  // dead-letter queue does not exist, is not of this account/region, or is the queue itself).
  absl::Status SetQueueAttributes(std::string_view name, const QueueAttributeChanges& changes);
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
  // Errors: InvalidArgument "InvalidMessageContents" (ValidateMessageBody), NotFound.
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
  // DeleteMessage for each handle, in one write job: returns one status per handle, in order
  // (OK, or InvalidArgument "ReceiptHandleIsInvalid" for that handle alone). The same handle
  // twice deletes once and succeeds twice. Errors of the whole call: NotFound (queue), the
  // store's (nothing is deleted then).
  absl::StatusOr<std::vector<absl::Status>> DeleteMessages(
      std::string_view queue, const std::vector<std::string>& receipt_handles);
  // Makes the message visible again after `visibility_timeout` seconds (0–43200) from now.
  // Errors: NotFound (queue); InvalidArgument "InvalidParameterValue" (range, or a timeout
  // ending more than 12 hours after the message's latest receive), InvalidArgument
  // "ReceiptHandleIsInvalid" (as DeleteMessage, or the message is gone); FailedPrecondition
  // "MessageNotInflight" (the message is visible).
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

  // CreateQueue: with `given`, an existing queue matches when each given attribute equals its
  // own; without, when all its attributes equal `attributes`.
  absl::Status Create(std::string_view name, const QueueAttributes& attributes,
                      const QueueAttributeChanges* given);
  // InvalidArgument "InvalidAttributeValue" unless `redrive` names another existing queue of
  // this account and region. REQUIRES: inside a write job.
  absl::Status CheckRedriveTarget(Db& db, std::string_view name,
                                  const RedrivePolicy& redrive) const;
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
