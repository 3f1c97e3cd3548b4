// Dead-letter messages; see dead_letter.h.
#include "bus/server/dead_letter.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace busbar::bus {

targets::MessageAttributes DeadLetterAttributes(const targets::OutboxItem& item,
                                                std::string_view exhausted_condition) {
  targets::MessageAttributes attributes;
  attributes.emplace_back("RULE_ARN", item.rule_arn);
  attributes.emplace_back("TARGET_ARN", item.target_arn);
  attributes.emplace_back("ERROR_CODE", item.last_error_code);
  attributes.emplace_back("ERROR_MESSAGE", item.last_error_message.empty()
                                               ? item.last_error_code
                                               : item.last_error_message);
  attributes.emplace_back("RETRY_ATTEMPTS", absl::StrCat(std::max(0, item.attempts - 1)));
  if (!exhausted_condition.empty()) {
    attributes.emplace_back("EXHAUSTED_RETRY_CONDITION", std::string(exhausted_condition));
  }
  return attributes;
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
