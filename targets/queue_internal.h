// Internal to targets/: what queues.cc and queue_receive.cc share — status macros, the SQS
// error texts, a queue's row, receipt handles. Pure helpers over a Db the caller owns (one
// thread at a time, as every Db); no state of their own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "targets/queues.h"
#include "targets/sqlite.h"

#define BB_RETURN_IF_ERROR(expr)                                               \
  do {                                                                         \
    if (absl::Status bb_status_ = (expr); !bb_status_.ok()) return bb_status_; \
  } while (0)
#define BB_CONCAT_INNER(a, b) a##b
#define BB_CONCAT(a, b) BB_CONCAT_INNER(a, b)
#define BB_ASSIGN_OR_RETURN(lhs, expr)                                                \
  auto BB_CONCAT(bb_or_, __LINE__) = (expr);                                          \
  if (!BB_CONCAT(bb_or_, __LINE__).ok()) return BB_CONCAT(bb_or_, __LINE__).status(); \
  lhs = std::move(*BB_CONCAT(bb_or_, __LINE__))

namespace busbar::targets::internal {

absl::Status NoSuchQueue(std::string_view name);
absl::Status InvalidReceipt(std::string_view queue, std::string_view why);

struct QueueRow {
  int64_t id = 0;
  QueueAttributes attributes;
  int64_t created_ms = 0;
};

// The queue's row. Errors: NotFound "QueueDoesNotExist: …", the store's.
absl::StatusOr<QueueRow> LookupQueue(Db& db, std::string_view name);

// The queue name of "arn:aws:sqs:<region>:<account>:<name>" if region and account are ours.
std::optional<std::string> QueueNameOfArn(std::string_view arn, const QueuesOptions& options);

// InvalidArgument unless 1 <= body size <= kMaxMessageBodyBytes.
absl::Status CheckBody(std::string_view queue, std::string_view body);

// Finds the message of `receipt` (the latest handle of a message of queue `queue_id`) and
// returns its seq; std::nullopt when the message is gone. Errors: InvalidArgument
// "ReceiptHandleIsInvalid: …" for a malformed or superseded handle.
absl::StatusOr<std::optional<int64_t>> FindReceipt(Db& db, std::string_view queue, int64_t queue_id,
                                                   std::string_view receipt);

// Message attributes in the queue_messages.attributes column: "<len>:<name><len>:<value>"...
std::string EncodeAttributes(const MessageAttributes& attributes);
// The pairs, sorted by name.
MessageAttributes DecodeAttributes(std::string_view blob);

}  // namespace busbar::targets::internal
