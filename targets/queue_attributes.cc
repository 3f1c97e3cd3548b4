// Validation of queue names, attributes and message bodies (see queues.h): ranges and messages as
// SQS reports them, naming the attribute and its limits; and the attribute changes of
// CreateQueue / SetQueueAttributes.
#include <algorithm>
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "targets/ids.h"
#include "targets/queues.h"

namespace busbar::targets {
namespace {

absl::Status CheckRange(const char* attribute, int64_t value, int64_t min, int64_t max) {
  if (value >= min && value <= max) return absl::OkStatus();
  return absl::InvalidArgumentError(std::string("InvalidAttributeValue: ") + attribute +
                                    " must be between " + std::to_string(min) + " and " +
                                    std::to_string(max) + ", got " + std::to_string(value));
}

// SQS's allowed characters (the XML 1.0 Char production).
bool AllowedInBody(char32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

// Decodes the UTF-8 character at s[*i] and advances *i past it. False for a malformed sequence
// (truncated, overlong, a surrogate or past U+10FFFF).
bool DecodeUtf8(std::string_view s, size_t* i, char32_t* out) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(*i);
  size_t len = 0;
  char32_t c = 0, min = 0;
  if (b0 < 0x80) {
    *out = b0;
    ++*i;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, c = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, c = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, c = b0 & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (*i + len > s.size()) return false;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) return false;
    c = (c << 6) | (byte(*i + k) & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
  *out = c;
  *i += len;
  return true;
}

}  // namespace

bool QueueAttributeChanges::empty() const {
  return !visibility_timeout && !message_retention_period && !receive_message_wait_time_seconds &&
         !redrive_policy;
}

QueueAttributes QueueAttributeChanges::ApplyTo(QueueAttributes base) const {
  if (visibility_timeout) base.visibility_timeout = *visibility_timeout;
  if (message_retention_period) base.message_retention_period = *message_retention_period;
  if (receive_message_wait_time_seconds) {
    base.receive_message_wait_time_seconds = *receive_message_wait_time_seconds;
  }
  if (redrive_policy) base.redrive_policy = *redrive_policy;
  return base;
}

bool QueueAttributeChanges::MatchedBy(const QueueAttributes& attributes) const {
  return ApplyTo(attributes) == attributes;
}

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

absl::Status ValidateMessageBody(std::string_view body) {
  if (body.empty() || body.size() > kMaxMessageBodyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("InvalidMessageContents: message body must be 1 to ", kMaxMessageBodyBytes,
                     " bytes, got ", body.size()));
  }
  for (size_t i = 0; i < body.size();) {
    const size_t at = i;
    char32_t c = 0;
    if (!DecodeUtf8(body, &i, &c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("InvalidMessageContents: message body is not valid UTF-8 at byte ", at));
    }
    if (!AllowedInBody(c)) {
      char code[16];
      std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(c));
      return absl::InvalidArgumentError(absl::StrCat(
          "InvalidMessageContents: message body has character ", code, " at byte ", at,
          "; allowed are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to "
          "#x10FFFF"));
    }
  }
  return absl::OkStatus();
}

std::string Md5OfBody(std::string_view body) { return Md5Hex(body); }

std::string Md5OfMessageAttributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return "";
  MessageAttributes sorted = attributes;
  std::sort(sorted.begin(), sorted.end());
  std::string buf;
  auto append = [&buf](std::string_view field) {
    const uint32_t n = static_cast<uint32_t>(field.size());
    for (int shift = 24; shift >= 0; shift -= 8)
      buf.push_back(static_cast<char>((n >> shift) & 0xff));
    buf.append(field);
  };
  for (const auto& [name, value] : sorted) {
    append(name);
    append("String");
    buf.push_back(1);  // transport type: string
    append(value);
  }
  return Md5Hex(buf);
}

}  // namespace busbar::targets
