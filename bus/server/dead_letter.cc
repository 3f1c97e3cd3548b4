// Dead-letter messages; see dead_letter.h.
#include "bus/server/dead_letter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace busbar::bus {

targets::MessageAttributes DeadLetterAttributes(const DeadLetterReason& reason) {
  targets::MessageAttributes attributes;
  attributes.emplace_back("RULE_ARN", std::string(reason.rule_arn));
  attributes.emplace_back("TARGET_ARN", std::string(reason.target_arn));
  attributes.emplace_back("ERROR_CODE", std::string(reason.error_code));
  attributes.emplace_back(
      "ERROR_MESSAGE",
      std::string(reason.error_message.empty() ? reason.error_code : reason.error_message));
  attributes.emplace_back("RETRY_ATTEMPTS", absl::StrCat(reason.retry_attempts));
  if (!reason.exhausted_condition.empty()) {
    attributes.emplace_back("EXHAUSTED_RETRY_CONDITION", std::string(reason.exhausted_condition));
  }
  return attributes;
}

targets::MessageAttributes DeadLetterAttributes(const targets::OutboxItem& item,
                                                std::string_view exhausted_condition) {
  return DeadLetterAttributes({item.rule_arn, item.target_arn, item.last_error_code,
                               item.last_error_message, std::max(0, item.attempts - 1),
                               exhausted_condition});
}

absl::Status DeadLetterInTxn(targets::Db& db, targets::Queues& queues, targets::Outbox& outbox,
                             const targets::OutboxItem& item, const std::string& queue,
                             const targets::MessageAttributes& attributes, bool* queue_missing) {
  std::vector<targets::Delivery> d = {{queue, item.original_event(), 0, &attributes}};
  std::vector<size_t> skipped;
  if (auto s = queues.EnqueueInTxn(db, d, nullptr, &skipped); !s.ok()) return s;
  *queue_missing = !skipped.empty();
  return outbox.RemoveInTxn(db, item.id);
}

}  // namespace busbar::bus
