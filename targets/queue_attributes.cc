// Validation of queue names and attributes (see queues.h): ranges and messages as SQS reports
// them, naming the attribute and its limits.
#include <string>

#include "targets/queues.h"

namespace busbar::targets {
namespace {

absl::Status CheckRange(const char* attribute, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string("InvalidParameterValue: ") + attribute +
                                    " must be between " + std::to_string(min) + " and " +
                                    std::to_string(max) + ", got " + std::to_string(value));
}

}  // namespace

absl::Status ValidateQueueName(std::string_view name) {
  bool ok = !name.empty() && name.size() <= kMaxQueueNameLength;
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_');
  }
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "InvalidParameterValue: queue name '" + std::string(name) +
      "' must be 1 to 80 characters of letters, digits, '-' and '_' (FIFO queues are not "
      "supported)");
}

absl::Status ValidateQueueAttributes(const QueueAttributes& a) {
  if (absl::Status s =
          CheckRange("VisibilityTimeout", a.visibility_timeout, 0, kMaxVisibilityTimeout);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("MessageRetentionPeriod", a.message_retention_period,
                                  kMinRetentionPeriod, kMaxRetentionPeriod);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange("ReceiveMessageWaitTimeSeconds",
                                  a.receive_message_wait_time_seconds, 0, kMaxReceiveWaitTime);
      !s.ok()) {
    return s;
  }
  if (a.redrive_policy.has_value()) {
    if (absl::Status s = CheckRange("RedrivePolicy maxReceiveCount",
                                    a.redrive_policy->max_receive_count, 1, kMaxMaxReceiveCount);
        !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace busbar::targets
