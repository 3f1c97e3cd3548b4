// Internal to the bus module: SQS's text forms as QueuesService reads and
// writes them (proto/busbar/v1/queues.proto) — queue attributes by SQS name
// with decimal-string values and RedrivePolicy's JSON, the attribute names
// GetQueueAttributes and ReceiveMessage take, and batch entry ids. Errors are
// absl statuses whose message starts with the SQS error code. Pure functions;
// thread-safe.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "targets/queues.h"

namespace busbar::bus::sqs {

// The settable attributes of CreateQueue and SetQueueAttributes (name ->
// value as SQS writes them) as changes: VisibilityTimeout,
// MessageRetentionPeriod, ReceiveMessageWaitTimeSeconds (decimal strings) and
// RedrivePolicy ({"deadLetterTargetArn": ARN, "maxReceiveCount": N}, N a
// number or a decimal string; "" is no redrive). Names are checked before
// values, each in name order. Errors: InvalidArgument "InvalidAttributeName:
// ..." for an unknown or read-only name, "InvalidAttributeValue: ..." for a
// value that is not a whole number, out of range, or a malformed
// RedrivePolicy. Whether a RedrivePolicy's queue exists is Queues' to check.
absl::StatusOr<targets::QueueAttributeChanges> ParseQueueAttributes(
    const std::map<std::string, std::string>& attributes);

// Every attribute of `queue` by SQS name, values as SQS writes them; an unset
// RedrivePolicy is left out.
std::map<std::string, std::string> FormatQueueAttributes(const targets::QueueDescription& queue);

// The attribute names GetQueueAttributes asks for, with "All" expanded to every
// name. Errors: InvalidArgument "InvalidAttributeName: ..." for an unknown name.
absl::StatusOr<std::set<std::string>> QueueAttributeNames(const std::vector<std::string>& names);

// The system attributes ReceiveMessage asks for (ApproximateReceiveCount,
// SentTimestamp, ApproximateFirstReceiveTimestamp, AWSTraceHeader), with "All"
// expanded. Errors: InvalidArgument "InvalidAttributeName: ..." for another
// name.
absl::StatusOr<std::set<std::string>> MessageSystemAttributeNames(
    const std::vector<std::string>& names);

// The entry ids of a batch request: 1 to kMaxBatchEntries entries, each id 1
// to 80 characters of [A-Za-z0-9_-], no id twice. Errors: InvalidArgument
// "EmptyBatchRequest: ...", "TooManyEntriesInBatchRequest: ...",
// "InvalidBatchEntryId: ..." (the first invalid id), "BatchEntryIdsNotDistinct:
// ..." (the first repeated id), checked in that order.
inline constexpr size_t kMaxBatchEntries = 10;
absl::Status CheckBatchEntryIds(const std::vector<std::string_view>& ids);

// A status's message without its leading "<SQS code>: ".
std::string Reason(const absl::Status& status);

}  // namespace busbar::bus::sqs
