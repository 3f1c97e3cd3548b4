// Wildcard cost stays bounded (shared/PATTERNS.md, "Wildcard cost must stay
// bounded"), checked only through the public API: the default limit accepts
// EventBridge's example and rejects its counter-example, the limit is
// configurable, and even patterns accepted under a raised limit match long
// adversarial values correctly (checked against the reference).
#include <cctype>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "tests/matcher/reference_matcher.h"

namespace busbar::matcher {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kReasonPrefix[] = "Event pattern is not valid. Reason: ";
constexpr char kAccepted[] = "arn:aws:events:us-east-1:*:event-bus/*";
constexpr char kRejected[] = "*:*:*:*:*:event-bus/*";

std::string WildcardPattern(const std::string& wildcard) {
  return R"({"resources": [{"wildcard": ")" + wildcard + R"("}]})";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(WildcardComplexity, DefaultAcceptsEventBridgeExample) {
  absl::Status status = ValidatePattern(WildcardPattern(kAccepted));
  EXPECT_TRUE(status.ok()) << status;
}

TEST(WildcardComplexity, DefaultRejectsEventBridgeCounterExample) {
  absl::Status status = ValidatePattern(WildcardPattern(kRejected));
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  std::string message(status.message());
  EXPECT_THAT(message, StartsWith(kReasonPrefix));
  EXPECT_THAT(message, HasSubstr("resources"));
  EXPECT_THAT(Lower(message), AnyOf(HasSubstr("complex"), HasSubstr("wildcard")));
  absl::StatusOr<std::shared_ptr<const Matcher>> m =
      Matcher::Compile({{"too-complex", WildcardPattern(kRejected)}});
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("rule 'too-complex'"));
}

TEST(WildcardComplexity, LimitAppliesToAnythingButWildcard) {
  absl::Status status = ValidatePattern(
      std::string(R"({"resources": [{"anything-but": {"wildcard": ")") + kRejected + R"("}}]})");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(ValidatePattern(std::string(R"({"resources": [{"anything-but": {"wildcard": ")") +
                              kAccepted + R"("}}]})")
                  .ok());
}

TEST(WildcardComplexity, SimplePatternsAccepted) {
  for (const char* wildcard : {"*", "a*", "*a", "a*b", "*.png", "arn:*:bus/*", "a\\\\*b", ""}) {
    SCOPED_TRACE(wildcard);
    absl::Status status = ValidatePattern(WildcardPattern(wildcard));
    EXPECT_TRUE(status.ok()) << status;
  }
}

TEST(WildcardComplexity, LimitIsConfigurable) {
  Options options;
  options.max_wildcard_complexity = 1000;
  absl::Status status = ValidatePattern(WildcardPattern(kRejected), options);
  EXPECT_TRUE(status.ok()) << status;
  absl::StatusOr<bool> got = TestEventPattern(WildcardPattern(kRejected),
                                              R"({"resources": "a:b:c:d:e:event-bus/x"})", options);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got);
  got = TestEventPattern(WildcardPattern(kRejected), R"({"resources": "a:b:c:d:event-bus/x"})",
                         options);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
}

TEST(WildcardComplexity, MonotoneInTheLimit) {
  // Whatever the measure, raising the limit never rejects what a lower one accepted.
  for (const char* wildcard : {kAccepted, kRejected, "*a*", "*a*b*c*", "a*b*c*d*e*f"}) {
    bool accepted_before = false;
    for (int limit : {1, 2, 3, 4, 5, 8, 16, 64, 1000}) {
      Options options;
      options.max_wildcard_complexity = limit;
      const bool accepted = ValidatePattern(WildcardPattern(wildcard), options).ok();
      EXPECT_FALSE(accepted_before && !accepted) << wildcard << " at limit " << limit;
      accepted_before = accepted_before || accepted;
    }
    EXPECT_TRUE(accepted_before) << wildcard << " rejected even at limit 1000";
  }
}

// Long adversarial values against patterns admitted under a raised limit must
// still give the right answer (and finish: a backtracking matcher would not).
TEST(WildcardComplexity, AdversarialValuesUnderRaisedLimit) {
  Options options;
  options.max_wildcard_complexity = 1000;
  const std::string colons(20000, ':');
  const std::string as(20000, 'a');
  struct Case {
    std::string wildcard;
    std::string value;
  };
  const Case cases[] = {
      {kRejected, colons},    {kRejected, colons + "event-bus/"}, {"*:*:*:*:*:*:*:*:x", colons},
      {"*a*a*a*a*a*a*b", as}, {"*a*a*a*a*a*a*b", as + "b"},       {"a*a*a*a*a*a*a", as},
      {"*aaaaaaaaab*", as},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.wildcard + " vs " + std::to_string(c.value.size()) + " bytes");
    const std::string pattern = WildcardPattern(c.wildcard);
    const std::string event = R"({"resources": ")" + c.value + R"("})";
    absl::StatusOr<bool> want = busbar::testing::ReferenceMatch(pattern, event);
    ASSERT_TRUE(want.ok()) << want.status();
    absl::StatusOr<bool> got = TestEventPattern(pattern, event, options);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, *want);
  }
}

}  // namespace
}  // namespace busbar::matcher
