// SQS's text forms for QueuesService; see sqs_text.h.
#include "bus/server/sqs_text.h"

#include <cstdint>
#include <iterator>
#include <optional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "simdjson.h"

namespace busbar::bus::sqs {
namespace {

using targets::QueueAttributeChanges;
using targets::RedrivePolicy;

constexpr std::string_view kRedrivePolicy = "RedrivePolicy";

// The settable whole-number attributes, their ranges and fields.
struct NumberAttribute {
  std::string_view name;
  int64_t min, max;
  std::optional<int> QueueAttributeChanges::*field;
};
constexpr NumberAttribute kNumberAttributes[] = {
    {"MessageRetentionPeriod", targets::kMinRetentionPeriod, targets::kMaxRetentionPeriod,
     &QueueAttributeChanges::message_retention_period},
    {"ReceiveMessageWaitTimeSeconds", 0, targets::kMaxReceiveWaitTime,
     &QueueAttributeChanges::receive_message_wait_time_seconds},
    {"VisibilityTimeout", 0, targets::kMaxVisibilityTimeout,
     &QueueAttributeChanges::visibility_timeout},
};

constexpr std::string_view kReadOnlyAttributes[] = {
    "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "CreatedTimestamp",
    "LastModifiedTimestamp", "QueueArn"};

constexpr std::string_view kSystemAttributes[] = {"AWSTraceHeader",
                                                  "ApproximateFirstReceiveTimestamp",
                                                  "ApproximateReceiveCount", "SentTimestamp"};

const NumberAttribute* FindNumberAttribute(std::string_view name) {
  for (const NumberAttribute& a : kNumberAttributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

bool IsReadOnly(std::string_view name) {
  for (std::string_view n : kReadOnlyAttributes) {
    if (n == name) return true;
  }
  return false;
}

absl::Status InvalidName(std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("InvalidAttributeName: ", std::string(reason)));
}

absl::Status InvalidValue(std::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat("InvalidAttributeValue: ", std::string(reason)));
}

absl::Status OutOfRange(std::string_view name, int64_t min, int64_t max, int64_t got) {
  return InvalidValue(
      absl::StrCat(std::string(name), " must be between ", min, " and ", max, ", got ", got));
}

absl::Status BadRedrive(std::string_view why) {
  return InvalidValue(absl::StrCat(
      "RedrivePolicy ", std::string(why),
      "; it must be {\"deadLetterTargetArn\": \"arn:aws:sqs:<region>:<account>:<queue>\", "
      "\"maxReceiveCount\": 1 to 1000}"));
}

absl::StatusOr<std::optional<RedrivePolicy>> ParseRedrivePolicy(std::string_view text) {
  if (text.empty()) return std::optional<RedrivePolicy>();  // no redrive
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::object obj;
  if (parser.parse(padded).get(obj)) return BadRedrive("is not a JSON object");
  std::optional<std::string> arn;
  std::optional<int64_t> max;
  for (auto [key, value] : obj) {
    if (key == "deadLetterTargetArn") {
      std::string_view s;
      if (value.get(s)) return BadRedrive("deadLetterTargetArn is not a string");
      arn = std::string(s);
    } else if (key == "maxReceiveCount") {
      int64_t n = 0;
      std::string_view s;
      if (!value.get(n) ||
          (!value.get(s) && absl::SimpleAtoi(absl::string_view(s.data(), s.size()), &n))) {
        max = n;
      } else {
        return BadRedrive("maxReceiveCount is not a whole number");
      }
    } else {
      return BadRedrive(
          absl::StrCat("has the unknown key '", std::string(std::string_view(key)), "'"));
    }
  }
  if (!arn) return BadRedrive("has no deadLetterTargetArn");
  if (!max) return BadRedrive("has no maxReceiveCount");
  if (*max < 1 || *max > targets::kMaxMaxReceiveCount) {
    return OutOfRange("RedrivePolicy maxReceiveCount", 1, targets::kMaxMaxReceiveCount, *max);
  }
  return std::optional<RedrivePolicy>(RedrivePolicy{*arn, static_cast<int>(*max)});
}

}  // namespace

absl::StatusOr<QueueAttributeChanges> ParseQueueAttributes(
    const std::map<std::string, std::string>& attributes) {
  for (const auto& [name, value] : attributes) {
    if (IsReadOnly(name)) return InvalidName(absl::StrCat("attribute ", name, " is read-only"));
    if (FindNumberAttribute(name) == nullptr && name != kRedrivePolicy) {
      return InvalidName(absl::StrCat("unknown attribute '", name,
                                      "'; settable attributes are MessageRetentionPeriod, "
                                      "ReceiveMessageWaitTimeSeconds, RedrivePolicy and "
                                      "VisibilityTimeout"));
    }
  }
  QueueAttributeChanges changes;
  for (const auto& [name, value] : attributes) {
    if (name == kRedrivePolicy) {
      absl::StatusOr<std::optional<RedrivePolicy>> redrive = ParseRedrivePolicy(value);
      if (!redrive.ok()) return redrive.status();
      changes.redrive_policy = *std::move(redrive);
      continue;
    }
    const NumberAttribute& a = *FindNumberAttribute(name);
    int64_t n = 0;
    if (!absl::SimpleAtoi(value, &n)) {
      return InvalidValue(absl::StrCat(name, " must be a whole number from ", a.min, " to ", a.max,
                                       ", not '", value, "'"));
    }
    if (n < a.min || n > a.max) return OutOfRange(name, a.min, a.max, n);
    changes.*a.field = static_cast<int>(n);
  }
  return changes;
}

std::map<std::string, std::string> FormatQueueAttributes(const targets::QueueDescription& q) {
  std::map<std::string, std::string> m;
  m["ApproximateNumberOfMessages"] = absl::StrCat(q.approximate_number_of_messages);
  m["ApproximateNumberOfMessagesNotVisible"] =
      absl::StrCat(q.approximate_number_of_messages_not_visible);
  m["CreatedTimestamp"] = absl::StrCat(q.created_timestamp);
  m["LastModifiedTimestamp"] = absl::StrCat(q.last_modified_timestamp);
  m["MessageRetentionPeriod"] = absl::StrCat(q.attributes.message_retention_period);
  m["QueueArn"] = q.arn;
  m["ReceiveMessageWaitTimeSeconds"] = absl::StrCat(q.attributes.receive_message_wait_time_seconds);
  m["VisibilityTimeout"] = absl::StrCat(q.attributes.visibility_timeout);
  if (const auto& r = q.attributes.redrive_policy) {
    // The ARN names an existing queue of this daemon ([A-Za-z0-9_-] names): nothing to escape.
    m[std::string(kRedrivePolicy)] =
        absl::StrCat("{\"deadLetterTargetArn\":\"", r->dead_letter_target_arn,
                     "\",\"maxReceiveCount\":", r->max_receive_count, "}");
  }
  return m;
}

absl::StatusOr<std::set<std::string>> QueueAttributeNames(const std::vector<std::string>& names) {
  std::set<std::string> all;
  for (const NumberAttribute& a : kNumberAttributes) all.emplace(a.name);
  for (std::string_view n : kReadOnlyAttributes) all.emplace(n);
  all.emplace(kRedrivePolicy);
  std::set<std::string> out;
  for (const std::string& name : names) {
    if (name == "All") {
      out = all;
    } else if (all.contains(name)) {
      out.insert(name);
    } else {
      return InvalidName(absl::StrCat("unknown attribute '", name, "'; queue attributes are All, ",
                                      absl::StrJoin(all, ", ")));
    }
  }
  return out;
}

absl::StatusOr<std::set<std::string>> MessageSystemAttributeNames(
    const std::vector<std::string>& names) {
  std::set<std::string> out;
  for (const std::string& name : names) {
    if (name == "All") {
      out.insert(std::begin(kSystemAttributes), std::end(kSystemAttributes));
      continue;
    }
    bool known = false;
    for (std::string_view n : kSystemAttributes) known = known || n == name;
    if (!known) {
      return InvalidName(absl::StrCat("unknown message system attribute '", name,
                                      "'; they are All, ",
                                      "AWSTraceHeader, ApproximateFirstReceiveTimestamp, "
                                      "ApproximateReceiveCount, SentTimestamp"));
    }
    out.insert(name);
  }
  return out;
}

absl::Status CheckBatchEntryIds(const std::vector<std::string_view>& ids) {
  if (ids.empty()) {
    return absl::InvalidArgumentError(
        "EmptyBatchRequest: the request has no entries; give 1 to 10");
  }
  if (ids.size() > kMaxBatchEntries) {
    return absl::InvalidArgumentError(absl::StrCat("TooManyEntriesInBatchRequest: the request has ",
                                                   ids.size(), " entries; at most ",
                                                   kMaxBatchEntries, " are allowed"));
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    bool ok = !ids[i].empty() && ids[i].size() <= 80;
    for (char c : ids[i]) {
      ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_');
    }
    if (!ok) {
      return absl::InvalidArgumentError(
          absl::StrCat("InvalidBatchEntryId: entries[", i, "] has the id '", std::string(ids[i]),
                       "'; an id is 1 to 80 characters of letters, digits, '-' and '_'"));
    }
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (ids[i] == ids[j]) {
        return absl::InvalidArgumentError(absl::StrCat("BatchEntryIdsNotDistinct: entries[", j,
                                                       "] and entries[", i, "] have the id '",
                                                       std::string(ids[i]), "'"));
      }
    }
  }
  return absl::OkStatus();
}

std::string Reason(const absl::Status& status) {
  std::string m(status.message());
  size_t colon = m.find(": ");
  return colon == std::string::npos ? m : m.substr(colon + 2);
}

}  // namespace busbar::bus::sqs
