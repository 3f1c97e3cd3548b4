// Unit tests of the pure parts of queues: MD5 of bodies, message ids, receipt tokens, the
// validation of queue names, attributes and message bodies, and attribute changes.
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "targets/ids.h"
#include "targets/queues.h"

namespace busbar::targets {
namespace {

TEST(QueueValuesMd5, MatchesRfc1321TestSuite) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(Md5Hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5Hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(Md5Hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(Md5Hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  EXPECT_EQ(Md5Hex("1234567890123456789012345678901234567890123456789012345678901234567890"
                   "1234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

TEST(QueueValuesMd5, HandlesPaddingBoundaries) {
  // 55 bytes fit one padded block, 56 need two; 64 is one full block plus padding.
  EXPECT_EQ(Md5Hex(std::string(55, 'a')), "ef1772b6dff9a122358552954ad0df65");
  EXPECT_EQ(Md5Hex(std::string(56, 'a')), "3b0c8ac703f828b04c6c197006d17218");
  EXPECT_EQ(Md5Hex(std::string(64, 'a')), "014842d480b571495a4a0363793f7367");
}

TEST(QueueValuesIds, UuidV4IsCanonicalAndUnique) {
  std::regex form("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuidV4();
    EXPECT_TRUE(std::regex_match(id, form)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(QueueValuesIds, RandomHexHasRequestedLength) {
  EXPECT_EQ(RandomHex(16).size(), 32u);
  EXPECT_EQ(RandomHex(3).size(), 6u);
  EXPECT_NE(RandomHex(16), RandomHex(16));
}

TEST(QueueValuesValidation, AcceptsDefaultsAndLimits) {
  EXPECT_TRUE(ValidateQueueAttributes({}).ok());
  QueueAttributes a;
  a.visibility_timeout = 43200;
  a.message_retention_period = 60;
  a.receive_message_wait_time_seconds = 20;
  a.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:dlq", 1000};
  EXPECT_TRUE(ValidateQueueAttributes(a).ok());
}

TEST(QueueValuesValidation, RejectsOutOfRangeNamingAttributeAndRange) {
  struct Case {
    QueueAttributes attributes;
    std::string expected;
  };
  QueueAttributes vis, retention_low, retention_high, wait, redrive_low, redrive_high;
  vis.visibility_timeout = 43201;
  retention_low.message_retention_period = 59;
  retention_high.message_retention_period = 1209601;
  wait.receive_message_wait_time_seconds = 21;
  redrive_low.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:d", 0};
  redrive_high.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:d", 1001};
  for (const Case& c : std::vector<Case>{
           {vis, "VisibilityTimeout must be between 0 and 43200, got 43201"},
           {retention_low, "MessageRetentionPeriod must be between 60 and 1209600, got 59"},
           {retention_high, "MessageRetentionPeriod must be between 60 and 1209600, got 1209601"},
           {wait, "ReceiveMessageWaitTimeSeconds must be between 0 and 20, got 21"},
           {redrive_low, "RedrivePolicy maxReceiveCount must be between 1 and 1000, got 0"},
           {redrive_high, "RedrivePolicy maxReceiveCount must be between 1 and 1000, got 1001"},
       }) {
    absl::Status s = ValidateQueueAttributes(c.attributes);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()), "InvalidAttributeValue: " + c.expected) << s;
  }
}

TEST(QueueValuesValidation, QueueNames) {
  EXPECT_TRUE(ValidateQueueName("orders-2_dlq").ok());
  EXPECT_TRUE(ValidateQueueName(std::string(80, 'q')).ok());
  EXPECT_FALSE(ValidateQueueName("").ok());
  EXPECT_FALSE(ValidateQueueName(std::string(81, 'q')).ok());
  EXPECT_FALSE(ValidateQueueName("has space").ok());
  EXPECT_FALSE(ValidateQueueName("orders.fifo").ok());
  EXPECT_EQ(ValidateQueueName("a/b").code(), absl::StatusCode::kInvalidArgument);
}

TEST(QueueValuesValidation, QueueNameErrorIsInvalidParameterValue) {
  absl::Status s = ValidateQueueName("orders.fifo");
  EXPECT_EQ(std::string(s.message()).rfind("InvalidParameterValue: queue name 'orders.fifo'", 0),
            0u)
      << s;
}

TEST(QueueValuesBody, AcceptsSqsCharactersAndLimits) {
  for (std::string body : {
           std::string("plain"),
           std::string("\t\n\r"),
           std::string(" ~"),
           std::string("caf\xC3\xA9"),       // U+00E9
           std::string("\xED\x9F\xBF"),      // U+D7FF
           std::string("\xEE\x80\x80"),      // U+E000
           std::string("\xEF\xBF\xBD"),      // U+FFFD
           std::string("\xF0\x90\x80\x80"),  // U+10000
           std::string("\xF0\x9F\x98\x80"),  // U+1F600
           std::string("\xF4\x8F\xBF\xBF"),  // U+10FFFF
           std::string(kMaxMessageBodyBytes, 'x'),
       }) {
    EXPECT_TRUE(ValidateMessageBody(body).ok()) << ValidateMessageBody(body);
  }
}

TEST(QueueValuesBody, RefusesSizeAndCharactersSqsRefuses) {
  struct Case {
    std::string body;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"", "message body must be 1 to 262144 bytes, got 0"},
           {std::string(kMaxMessageBodyBytes + 1, 'x'),
            "message body must be 1 to 262144 bytes, got 262145"},
           {std::string("a\0b", 3), "message body has character U+0000 at byte 1"},
           {"ok\x01", "message body has character U+0001 at byte 2"},
           {"\x1F", "message body has character U+001F at byte 0"},
           {"\x0B", "message body has character U+000B at byte 0"},
           {"ab\xEF\xBF\xBE", "message body has character U+FFFE at byte 2"},
           {"\xEF\xBF\xBF", "message body has character U+FFFF at byte 0"},
           {"\xFF", "message body is not valid UTF-8 at byte 0"},
           {"x\xC3", "message body is not valid UTF-8 at byte 1"},             // truncated
           {"\xC0\xAF", "message body is not valid UTF-8 at byte 0"},          // overlong
           {"\xED\xA0\x80", "message body is not valid UTF-8 at byte 0"},      // surrogate
           {"\xF4\x90\x80\x80", "message body is not valid UTF-8 at byte 0"},  // > U+10FFFF
           {"\xE2\x28\xA1", "message body is not valid UTF-8 at byte 0"},
       }) {
    absl::Status s = ValidateMessageBody(c.body);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(s.message()).rfind("InvalidMessageContents: " + c.expected, 0), 0u) << s;
  }
}

TEST(QueueValuesBody, Md5OfBodyIsSqsMd5) {
  EXPECT_EQ(Md5OfBody("hello"), "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(Md5OfBody("caf\xC3\xA9"), Md5Hex("caf\xC3\xA9"));
}

TEST(QueueValuesChanges, ApplyAndMatchOnlyTheNamedAttributes) {
  QueueAttributeChanges none;
  EXPECT_TRUE(none.empty());
  QueueAttributes base;
  base.visibility_timeout = 45;
  base.redrive_policy = RedrivePolicy{"arn:aws:sqs:us-east-1:000000000000:dlq", 3};
  EXPECT_EQ(none.ApplyTo(base), base);
  EXPECT_TRUE(none.MatchedBy(base));

  QueueAttributeChanges some;
  some.message_retention_period = 60;
  some.redrive_policy = std::optional<RedrivePolicy>();  // no redrive
  EXPECT_FALSE(some.empty());
  QueueAttributes applied = some.ApplyTo(base);
  EXPECT_EQ(applied.visibility_timeout, 45);
  EXPECT_EQ(applied.message_retention_period, 60);
  EXPECT_EQ(applied.receive_message_wait_time_seconds, 0);
  EXPECT_FALSE(applied.redrive_policy.has_value());
  EXPECT_FALSE(some.MatchedBy(base));
  EXPECT_TRUE(some.MatchedBy(applied));

  QueueAttributeChanges vis;
  vis.visibility_timeout = 45;
  EXPECT_TRUE(vis.MatchedBy(base));
  vis.visibility_timeout = 46;
  EXPECT_FALSE(vis.MatchedBy(base));
}

}  // namespace
}  // namespace busbar::targets
