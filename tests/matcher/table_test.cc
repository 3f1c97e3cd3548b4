// Table-driven pattern tests: tests/testdata/match_cases.json holds
// {name, pattern, event, match} cases (every statement of shared/PATTERNS.md) and
// tests/testdata/invalid_patterns.json {name, pattern, reason_contains} for every
// invalid form. Patterns and events are JSON texts kept as strings, so numbers such
// as 3.0e2 or 20-digit ids reach the matcher exactly as written.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "simdjson.h"
#include "tests/matcher/reference_matcher.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif

namespace busbar::matcher {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kReasonPrefix[] = "Event pattern is not valid. Reason: ";

struct MatchCase {
  std::string name;
  std::string pattern;
  std::string event;
  bool match = false;
};

struct InvalidCase {
  std::string name;
  std::string pattern;
  std::string reason_contains;
};

std::string Field(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object[key].get_string().get(value) != simdjson::SUCCESS) {
    ADD_FAILURE() << "missing string field " << key;
    return "";
  }
  return std::string(value);
}

simdjson::dom::array LoadArray(simdjson::dom::parser& parser, const std::string& file) {
  simdjson::dom::array cases;
  simdjson::error_code error =
      parser.load(std::string(BUSBAR_TESTDATA_DIR) + "/" + file).get_array().get(cases);
  EXPECT_EQ(error, simdjson::SUCCESS) << file << ": " << simdjson::error_message(error);
  return cases;
}

std::vector<MatchCase> LoadMatchCases() {
  simdjson::dom::parser parser;
  std::vector<MatchCase> out;
  for (simdjson::dom::element element : LoadArray(parser, "match_cases.json")) {
    simdjson::dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      ADD_FAILURE() << "case is not an object";
      continue;
    }
    MatchCase c{Field(object, "name"), Field(object, "pattern"), Field(object, "event")};
    if (object["match"].get_bool().get(c.match) != simdjson::SUCCESS) {
      ADD_FAILURE() << c.name << ": no boolean \"match\"";
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<InvalidCase> LoadInvalidCases() {
  simdjson::dom::parser parser;
  std::vector<InvalidCase> out;
  for (simdjson::dom::element element : LoadArray(parser, "invalid_patterns.json")) {
    simdjson::dom::object object;
    if (element.get_object().get(object) != simdjson::SUCCESS) {
      ADD_FAILURE() << "case is not an object";
      continue;
    }
    out.push_back(InvalidCase{Field(object, "name"), Field(object, "pattern"),
                              Field(object, "reason_contains")});
  }
  return out;
}

std::string Describe(const MatchCase& c) {
  return "case '" + c.name + "'\n  pattern: " + c.pattern + "\n  event:   " + c.event +
         "\n  expected: " + (c.match ? "match" : "no match");
}

TEST(MatchCases, FileHasCases) {
  std::vector<MatchCase> cases = LoadMatchCases();
  EXPECT_GE(cases.size(), 300u);
  int matching = 0;
  for (const MatchCase& c : cases) matching += c.match;
  EXPECT_GT(matching, 0);
  EXPECT_LT(matching, static_cast<int>(cases.size()));
}

TEST(MatchCases, ReferenceAgreesWithTable) {
  for (const MatchCase& c : LoadMatchCases()) {
    SCOPED_TRACE(Describe(c));
    absl::StatusOr<bool> got = busbar::testing::ReferenceMatch(c.pattern, c.event);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.match);
  }
}

TEST(MatchCases, TestEventPatternAgreesWithTable) {
  for (const MatchCase& c : LoadMatchCases()) {
    SCOPED_TRACE(Describe(c));
    absl::StatusOr<bool> got = TestEventPattern(c.pattern, c.event);
    EXPECT_TRUE(got.ok()) << got.status();
    if (got.ok()) {
      EXPECT_EQ(*got, c.match);
    }
  }
}

TEST(MatchCases, SingleRuleMatcherAgreesWithTable) {
  MatchScratch scratch;
  for (const MatchCase& c : LoadMatchCases()) {
    SCOPED_TRACE(Describe(c));
    absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Compile({{"rule", c.pattern}});
    EXPECT_TRUE(m.ok()) << m.status();
    if (!m.ok()) continue;
    std::vector<uint32_t> ids = {7, 7, 7};
    absl::Status status = (*m)->Match(c.event, scratch, ids);
    EXPECT_TRUE(status.ok()) << status;
    EXPECT_EQ(ids, c.match ? std::vector<uint32_t>{0} : std::vector<uint32_t>{});
  }
}

// Every case's pattern as one rule of a single matcher, every event matched
// against all of them; the expected set comes from the reference (checked
// against the table above). Patterns the matcher rejects are left out here
// (MatchCasePatternsAreValid reports them).
TEST(MatchCases, AllPatternsInOneMatcherAgreeWithReference) {
  std::vector<MatchCase> all_cases = LoadMatchCases();
  std::vector<MatchCase> cases;
  for (const MatchCase& c : all_cases) {
    if (ValidatePattern(c.pattern).ok()) cases.push_back(c);
  }
  EXPECT_GE(cases.size(), all_cases.size() * 9 / 10);
  std::vector<RuleSpec> rules;
  std::vector<busbar::testing::ReferencePattern> patterns;
  for (const MatchCase& c : cases) {
    rules.push_back({c.name, c.pattern});
    absl::StatusOr<busbar::testing::ReferencePattern> p =
        busbar::testing::ReferencePattern::Parse(c.pattern);
    ASSERT_TRUE(p.ok()) << c.name << ": " << p.status();
    patterns.push_back(*std::move(p));
  }
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Compile(rules);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ((*m)->rule_count(), cases.size());
  MatchScratch scratch;
  int reported = 0;
  for (const MatchCase& c : cases) {
    absl::StatusOr<busbar::testing::ReferenceEvent> event =
        busbar::testing::ReferenceEvent::Parse(c.event);
    ASSERT_TRUE(event.ok()) << c.name << ": " << event.status();
    std::vector<uint32_t> want;
    for (uint32_t id = 0; id < patterns.size(); ++id) {
      if (busbar::testing::ReferenceMatches(patterns[id], *event)) want.push_back(id);
    }
    std::vector<uint32_t> got;
    absl::Status status = (*m)->Match(c.event, scratch, got);
    ASSERT_TRUE(status.ok()) << c.name << ": " << status;
    if (got != want && reported++ < 10) {
      std::string diff;
      for (uint32_t id : want) {
        if (!std::binary_search(got.begin(), got.end(), id)) {
          diff += "\n  missed:   " + cases[id].name + "  " + cases[id].pattern;
        }
      }
      for (uint32_t id : got) {
        if (!std::binary_search(want.begin(), want.end(), id)) {
          diff += "\n  extra:    " +
                  (id < cases.size() ? cases[id].name + "  " + cases[id].pattern : "?");
        }
      }
      ADD_FAILURE() << "event of case '" << c.name << "': " << c.event << diff;
    }
  }
  EXPECT_EQ(reported, 0);
}

TEST(InvalidPatterns, FileHasCases) { EXPECT_GE(LoadInvalidCases().size(), 80u); }

TEST(InvalidPatterns, ValidatePatternRejectsWithReason) {
  for (const InvalidCase& c : LoadInvalidCases()) {
    SCOPED_TRACE("case '" + c.name + "': " + c.pattern);
    absl::Status status = ValidatePattern(c.pattern);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(kReasonPrefix));
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.reason_contains));
  }
}

TEST(InvalidPatterns, CompileRejectsNamingTheRule) {
  for (const InvalidCase& c : LoadInvalidCases()) {
    SCOPED_TRACE("case '" + c.name + "': " + c.pattern);
    absl::StatusOr<std::shared_ptr<const Matcher>> m =
        Matcher::Compile({{"good", R"({"source": ["a"]})"}, {"bad-rule", c.pattern}});
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    std::string message(m.status().message());
    EXPECT_THAT(message, HasSubstr("rule 'bad-rule'"));
    EXPECT_THAT(message, HasSubstr(kReasonPrefix));
    EXPECT_THAT(message, HasSubstr(c.reason_contains));
  }
}

TEST(InvalidPatterns, TestEventPatternRejects) {
  for (const InvalidCase& c : LoadInvalidCases()) {
    SCOPED_TRACE("case '" + c.name + "': " + c.pattern);
    absl::StatusOr<bool> got = TestEventPattern(c.pattern, R"({"source": "a"})");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(got.status().message()), StartsWith(kReasonPrefix));
  }
}

TEST(InvalidPatterns, RuleSetPutRejects) {
  RuleSet rules;
  ASSERT_TRUE(rules.Put("good", R"({"source": ["a"]})").ok());
  std::shared_ptr<const Matcher> before = rules.Current();
  for (const InvalidCase& c : LoadInvalidCases()) {
    SCOPED_TRACE("case '" + c.name + "': " + c.pattern);
    absl::Status status = rules.Put("bad", c.pattern);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(rules.Current(), before);
  }
}

TEST(InvalidPatterns, AcceptsEventBridgeWildcardExample) {
  constexpr char kPattern[] =
      R"({"resources": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]})";
  EXPECT_TRUE(ValidatePattern(kPattern).ok()) << ValidatePattern(kPattern);
  absl::StatusOr<bool> got = TestEventPattern(
      kPattern, R"({"resources": ["arn:aws:events:us-east-1:123456789012:event-bus/default"]})");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got);
}

// Every match case is a valid pattern (else the table above proves nothing).
TEST(InvalidPatterns, MatchCasePatternsAreValid) {
  for (const MatchCase& c : LoadMatchCases()) {
    absl::Status status = ValidatePattern(c.pattern);
    EXPECT_TRUE(status.ok()) << "case '" << c.name << "': " << c.pattern << "\n" << status;
  }
}

}  // namespace
}  // namespace busbar::matcher
