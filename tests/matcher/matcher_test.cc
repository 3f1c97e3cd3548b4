// Behaviour of the public matcher API (matcher/matcher.h): compiling, rule ids and
// names, event errors, event size and depth limits, options, RuleSet publication
// under concurrent readers. Pattern semantics are covered by table_test.cc and
// differential_test.cc.
#include "matcher/matcher.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace busbar::matcher {
namespace {

using ::testing::AnyOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kReasonPrefix[] = "Event pattern is not valid. Reason: ";

std::shared_ptr<const Matcher> MustCompile(const std::vector<RuleSpec>& rules,
                                           const Options& options = {}) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Compile(rules, options);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : nullptr;
}

std::vector<uint32_t> MatchIds(const Matcher& m, std::string_view event) {
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  absl::Status status = m.Match(event, scratch, ids);
  EXPECT_TRUE(status.ok()) << status;
  return ids;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An event of `depth` nested objects (the root included); the leaf 1 sits at the
// path "x.x. ... .x" of `depth` components.
std::string DeepObjectEvent(int depth) {
  std::string event = R"({"source": "a", "x": )";
  for (int i = 1; i < depth; ++i) event += R"({"x": )";
  event += "1";
  for (int i = 1; i < depth; ++i) event += "}";
  event += "}";
  return event;
}

// An event whose "arr" field nests `depth - 1` arrays around "deep".
std::string DeepArrayEvent(int depth) {
  return R"({"source": "a", "arr": )" + std::string(depth - 1, '[') + R"("deep")" +
         std::string(depth - 1, ']') + "}";
}

// ---------------------------------------------------------------------------
// Compile

TEST(MatcherCompile, EmptyRuleListMatchesNothing) {
  std::shared_ptr<const Matcher> m = MustCompile({});
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->rule_count(), 0u);
  EXPECT_THAT(MatchIds(*m, R"({"source": "a"})"), IsEmpty());
}

TEST(MatcherCompile, RuleIdsAreIndexesIntoRules) {
  std::shared_ptr<const Matcher> m = MustCompile({{"first", R"({"source": ["a"]})"},
                                                  {"second", R"({"source": ["b"]})"},
                                                  {"third", R"({"source": ["a", "b"]})"}});
  ASSERT_NE(m, nullptr);
  ASSERT_EQ(m->rule_count(), 3u);
  EXPECT_EQ(m->rule_name(0), "first");
  EXPECT_EQ(m->rule_name(1), "second");
  EXPECT_EQ(m->rule_name(2), "third");
  EXPECT_THAT(MatchIds(*m, R"({"source": "a"})"), ElementsAre(0u, 2u));
  EXPECT_THAT(MatchIds(*m, R"({"source": "b"})"), ElementsAre(1u, 2u));
  EXPECT_THAT(MatchIds(*m, R"({"source": "c"})"), IsEmpty());
}

TEST(MatcherCompile, RejectsDuplicateNames) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m =
      Matcher::Compile({{"dup", R"({"source": ["a"]})"},
                        {"other", R"({"source": ["b"]})"},
                        {"dup", R"({"source": ["c"]})"}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(m.status().message()), HasSubstr("dup"));
}

TEST(MatcherCompile, RejectsEmptyName) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m =
      Matcher::Compile({{"ok", R"({"source": ["a"]})"}, {"", R"({"source": ["b"]})"}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MatcherCompile, InvalidPatternErrorNamesRuleAndField) {
  absl::StatusOr<std::shared_ptr<const Matcher>> m =
      Matcher::Compile({{"fine", R"({"source": ["a"]})"},
                        {"broken", R"({"detail": {"state": "running"}})"},
                        {"also-fine", R"({"source": ["b"]})"}});
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  std::string message(m.status().message());
  EXPECT_THAT(message, HasSubstr("rule 'broken'"));
  EXPECT_THAT(message, HasSubstr(std::string(kReasonPrefix)));
  EXPECT_THAT(message, HasSubstr("detail.state"));
  EXPECT_THAT(message, Not(HasSubstr("'fine'")));
}

TEST(MatcherCompile, MalformedPatternJsonIsInvalid) {
  for (const char* pattern : {R"({"source": ["a"])", "", "not json", R"({"source": [tru]})"}) {
    SCOPED_TRACE(pattern);
    absl::Status status = ValidatePattern(pattern);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(status.message()), StartsWith(kReasonPrefix));
    absl::StatusOr<std::shared_ptr<const Matcher>> m = Matcher::Compile({{"r", pattern}});
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(MatcherCompile, ManyRules) {
  std::vector<RuleSpec> rules;
  for (int i = 0; i < 2000; ++i) {
    rules.push_back(
        {"rule-" + std::to_string(i), R"({"detail": {"n": [)" + std::to_string(i % 100) + "]}}"});
  }
  std::shared_ptr<const Matcher> m = MustCompile(rules);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->rule_count(), 2000u);
  EXPECT_GT(m->MemoryBytes(), 0u);
  std::vector<uint32_t> ids = MatchIds(*m, R"({"detail": {"n": 42}})");
  ASSERT_EQ(ids.size(), 20u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], 42 + 100 * i);
}

TEST(MatcherCompile, OrExpansionLimit) {
  // Eleven two-way $ors: 2^11 = 2048 conjunctions, above the default 1000.
  std::string pattern = "{";
  for (int i = 0; i < 11; ++i) {
    if (i > 0) pattern += ", ";
    pattern += "\"f" + std::to_string(i) + R"(": {"$or": [{"a": ["1"]}, {"b": ["1"]}]})";
  }
  pattern += "}";
  absl::Status status = ValidatePattern(pattern);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith(kReasonPrefix));

  Options options;
  options.max_or_combinations = 4096;
  EXPECT_TRUE(ValidatePattern(pattern, options).ok());
  std::string event = "{";
  for (int i = 0; i < 11; ++i) {
    if (i > 0) event += ", ";
    event += "\"f" + std::to_string(i) + (i % 2 ? R"(": {"a": "1"})" : R"(": {"b": "1"})");
  }
  event += "}";
  absl::StatusOr<bool> got = TestEventPattern(pattern, event, options);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got);
}

// ---------------------------------------------------------------------------
// Match

TEST(MatcherMatch, ReplacesOutputAndSortsAscending) {
  std::shared_ptr<const Matcher> m = MustCompile({{"r0", R"({"n": [{"numeric": [">", 0]}]})"},
                                                  {"r1", R"({"n": [{"numeric": [">", 10]}]})"},
                                                  {"r2", R"({"n": [{"numeric": ["<", 5]}]})"},
                                                  {"r3", R"({"n": [{"exists": true}]})"},
                                                  {"r4", R"({"m": [{"exists": true}]})"}});
  ASSERT_NE(m, nullptr);
  MatchScratch scratch;
  std::vector<uint32_t> ids = {99, 98, 97, 96, 95, 94};
  ASSERT_TRUE(m->Match(R"({"n": 20})", scratch, ids).ok());
  EXPECT_THAT(ids, ElementsAre(0u, 1u, 3u));
  ASSERT_TRUE(m->Match(R"({"n": 1, "m": 0})", scratch, ids).ok());
  EXPECT_THAT(ids, ElementsAre(0u, 2u, 3u, 4u));
  ASSERT_TRUE(m->Match(R"({"k": 1})", scratch, ids).ok());
  EXPECT_THAT(ids, IsEmpty());
}

TEST(MatcherMatch, MatchNamesAreSorted) {
  std::shared_ptr<const Matcher> m = MustCompile({{"zeta", R"({"source": ["a"]})"},
                                                  {"alpha", R"({"source": [{"prefix": ""}]})"},
                                                  {"none", R"({"source": ["b"]})"},
                                                  {"mike", R"({"source": [{"exists": true}]})"},
                                                  {"Bravo", R"({"source": ["a"]})"}});
  ASSERT_NE(m, nullptr);
  absl::StatusOr<std::vector<std::string>> names = m->MatchNames(R"({"source": "a"})");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, ElementsAre("Bravo", "alpha", "mike", "zeta"));
  names = m->MatchNames(R"({"other": "a"})");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(*names, IsEmpty());
  names = m->MatchNames(R"({"source": )");
  EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MatcherMatch, MalformedEventIsAnErrorForThatEventOnly) {
  std::shared_ptr<const Matcher> m =
      MustCompile({{"r", R"({"source": ["a"], "detail": {"state": [{"exists": true}]}})"}});
  ASSERT_NE(m, nullptr);
  const std::string good = R"({"source": "a", "detail": {"state": "on"}})";
  const std::vector<std::string> bad = {
      R"({"source": "a", "detail": {"state": "on"})",    // truncated
      R"({"source": "a", "detail": {"state": "on)",      // unterminated string
      R"({"source": "a", "detail": {"state": tru}})",    // bad literal in a read field
      R"({"source": "a", "detail": {"state": nul}})",    // bad literal in a read field
      R"({"source": "a", "detail": {"state": 1.2.3}})",  // bad number in a read field
      R"({"source": "a" "detail": {"state": "on"}})",    // missing comma
      R"({"source" "a"})",                               // missing colon
      "",
      "   ",
  };
  const std::vector<std::string> not_objects = {R"([{"source": "a"}])", R"("source")", "42",
                                                "null"};
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  std::vector<std::string> all = bad;
  all.insert(all.end(), not_objects.begin(), not_objects.end());
  for (const std::string& event : all) {
    SCOPED_TRACE("event: " + event);
    absl::Status status = m->Match(event, scratch, ids);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_FALSE(status.message().empty());
    if (std::find(bad.begin(), bad.end(), event) != bad.end()) {
      // Malformed JSON: the header promises the byte offset of the problem.
      EXPECT_THAT(std::string(status.message()), HasSubstr("byte")) << status;
    }
    absl::StatusOr<bool> tested =
        TestEventPattern(R"({"source": ["a"], "detail": {"state": [{"exists": true}]}})", event);
    EXPECT_EQ(tested.status().code(), absl::StatusCode::kInvalidArgument);
    // The next event is matched normally with the same scratch.
    ASSERT_TRUE(m->Match(good, scratch, ids).ok());
    EXPECT_THAT(ids, ElementsAre(0u));
  }
}

TEST(MatcherMatch, EventNeedNotOutliveTheCall) {
  std::shared_ptr<const Matcher> m = MustCompile({{"r", R"({"source": ["a"]})"}});
  ASSERT_NE(m, nullptr);
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  {
    std::string event = R"({"source": "a"})";
    ASSERT_TRUE(m->Match(event, scratch, ids).ok());
    event.assign(event.size(), 'X');
  }
  EXPECT_THAT(ids, ElementsAre(0u));
  std::string other = R"({"source": "b"})";
  ASSERT_TRUE(m->Match(other, scratch, ids).ok());
  EXPECT_THAT(ids, IsEmpty());
}

TEST(MatcherMatch, Depth1000Matches) {
  std::string dotted_path = "x";
  for (int i = 1; i < 1000; ++i) dotted_path += ".x";
  std::shared_ptr<const Matcher> m = MustCompile({{"source", R"({"source": ["a"]})"},
                                                  {"deep-array", R"({"arr": ["deep"]})"},
                                                  {"deep-path", "{\"" + dotted_path + "\": [1]}"}});
  ASSERT_NE(m, nullptr);
  EXPECT_THAT(MatchIds(*m, DeepObjectEvent(1000)), ElementsAre(0u, 2u));
  EXPECT_THAT(MatchIds(*m, DeepArrayEvent(1000)), ElementsAre(0u, 1u));
}

TEST(MatcherMatch, TooDeepEventIsAnError) {
  std::shared_ptr<const Matcher> m = MustCompile({{"r", R"({"source": ["a"]})"}});
  ASSERT_NE(m, nullptr);
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  for (const std::string& event : {DeepObjectEvent(5000), DeepArrayEvent(5000)}) {
    absl::Status status = m->Match(event, scratch, ids);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(Lower(std::string(status.message())), AnyOf(HasSubstr("depth"), HasSubstr("deep")))
        << status;
    ASSERT_TRUE(m->Match(R"({"source": "a"})", scratch, ids).ok());
    EXPECT_THAT(ids, ElementsAre(0u));
  }
}

TEST(MatcherMatch, MaxEventDepthIsConfigurable) {
  Options options;
  options.max_event_depth = 1200;
  std::shared_ptr<const Matcher> m = MustCompile({{"r", R"({"source": ["a"]})"}}, options);
  ASSERT_NE(m, nullptr);
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  EXPECT_TRUE(m->Match(DeepObjectEvent(1200), scratch, ids).ok());
  EXPECT_THAT(ids, ElementsAre(0u));
  EXPECT_TRUE(m->Match(DeepArrayEvent(1200), scratch, ids).ok());
  EXPECT_THAT(ids, ElementsAre(0u));
  EXPECT_EQ(m->Match(DeepObjectEvent(1201), scratch, ids).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m->Match(DeepArrayEvent(1201), scratch, ids).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MatcherMatch, DefaultMaxEventDepthIsExact) {
  std::shared_ptr<const Matcher> m = MustCompile({{"r", R"({"source": ["a"]})"}});
  ASSERT_NE(m, nullptr);
  const int max_depth = Options().max_event_depth;
  ASSERT_GE(max_depth, 1000);
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  EXPECT_TRUE(m->Match(DeepObjectEvent(max_depth), scratch, ids).ok());
  EXPECT_TRUE(m->Match(DeepArrayEvent(max_depth), scratch, ids).ok());
  EXPECT_EQ(m->Match(DeepObjectEvent(max_depth + 1), scratch, ids).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m->Match(DeepArrayEvent(max_depth + 1), scratch, ids).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MatcherMatch, Event256KiBMatches) {
  std::shared_ptr<const Matcher> m =
      MustCompile({{"tail", R"({"detail": {"last": ["yes"]}})"},
                   {"in-array", R"({"items": {"id": [2221], "kind": ["k1"]}})"},
                   {"inconsistent", R"({"items": {"id": [2221], "kind": ["k2"]}})"},
                   {"missing", R"({"detail": {"nope": [{"exists": true}]}})"}});
  ASSERT_NE(m, nullptr);
  std::string event = R"({"source": "big", "items": [)";
  for (int i = 0; i < 3000; ++i) {
    if (i > 0) event += ",";
    event += R"({"id": )" + std::to_string(i) + R"(, "kind": "k)" + std::to_string(i % 3) +
             R"(", "pad": "................"})";
  }
  event += R"(], "detail": {"blob": ")";
  const size_t kTarget = 256 * 1024 - 64;
  event += std::string(kTarget - event.size(), 'z');
  event += R"(", "last": "yes"}})";
  ASSERT_LE(event.size(), 256u * 1024);
  ASSERT_GT(event.size(), 255u * 1024);
  // Element 2221 has kind k1 (2221 % 3 == 1).
  EXPECT_THAT(MatchIds(*m, event), ElementsAre(0u, 1u));
}

TEST(MatcherMatch, ScratchReusedAcrossMatchers) {
  std::shared_ptr<const Matcher> a =
      MustCompile({{"a0", R"({"x": ["1"]})"}, {"a1", R"({"y": {"z": [{"prefix": "q"}]}})"}});
  std::shared_ptr<const Matcher> b = MustCompile({{"b0", R"({"y": {"z": ["qq"]}})"},
                                                  {"b1", R"({"x": [{"exists": false}]})"},
                                                  {"b2", R"({"x": ["1"], "y": {"z": ["qq"]}})"}});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(a->Match(R"({"x": "1", "y": {"z": "qq"}})", scratch, ids).ok());
    EXPECT_THAT(ids, ElementsAre(0u, 1u));
    ASSERT_TRUE(b->Match(R"({"x": "1", "y": {"z": "qq"}})", scratch, ids).ok());
    EXPECT_THAT(ids, ElementsAre(0u, 2u));
    ASSERT_TRUE(b->Match(R"({"y": [{"z": "qq"}]})", scratch, ids).ok());
    EXPECT_THAT(ids, ElementsAre(0u, 1u));
    ASSERT_TRUE(a->Match(R"({"y": {"z": "rr"}})", scratch, ids).ok());
    EXPECT_THAT(ids, IsEmpty());
    EXPECT_FALSE(b->Match("{", scratch, ids).ok());
  }
}

TEST(MatcherMatch, ConcurrentMatchersShareOneMatcher) {
  std::shared_ptr<const Matcher> m =
      MustCompile({{"r0", R"({"n": [{"numeric": [">=", 0, "<", 500]}]})"},
                   {"r1", R"({"n": [{"numeric": [">=", 500]}]})"}});
  ASSERT_NE(m, nullptr);
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      MatchScratch scratch;
      std::vector<uint32_t> ids;
      for (int i = 0; i < 2000; ++i) {
        const int n = (i * 7 + t) % 1000;
        if (!m->Match("{\"n\": " + std::to_string(n) + "}", scratch, ids).ok() ||
            ids != std::vector<uint32_t>{n < 500 ? 0u : 1u}) {
          ++errors;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(errors.load(), 0);
}

// ---------------------------------------------------------------------------
// TestEventPattern and options

TEST(TestEventPattern, MatchesAndErrors) {
  absl::StatusOr<bool> yes = TestEventPattern(R"({"source": ["a"]})", R"({"source": "a"})");
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_TRUE(*yes);
  absl::StatusOr<bool> no = TestEventPattern(R"({"source": ["a"]})", R"({"source": "b"})");
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_FALSE(*no);
  absl::StatusOr<bool> bad_pattern = TestEventPattern(R"({"source": "a"})", R"({"source": "a"})");
  EXPECT_EQ(bad_pattern.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad_pattern.status().message()), StartsWith(kReasonPrefix));
  EXPECT_THAT(std::string(bad_pattern.status().message()), HasSubstr("source"));
  absl::StatusOr<bool> bad_event = TestEventPattern(R"({"source": ["a"]})", R"({"source": )");
  EXPECT_EQ(bad_event.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Options, RegexpAcceptedByDefault) {
  constexpr char kPattern[] = R"({"detail": {"name": [{"regexp": "a+b"}]}})";
  EXPECT_TRUE(ValidatePattern(kPattern).ok());
  absl::StatusOr<bool> got = TestEventPattern(kPattern, R"({"detail": {"name": "aaab"}})");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got);
}

TEST(Options, RegexpRejectedWhenDisallowed) {
  constexpr char kPattern[] = R"({"detail": {"name": [{"regexp": "a+b"}]}})";
  Options strict;
  strict.allow_regexp = false;
  absl::Status status = ValidatePattern(kPattern, strict);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith(kReasonPrefix));
  EXPECT_THAT(std::string(status.message()), HasSubstr("detail.name"));
  EXPECT_EQ(Matcher::Compile({{"r", kPattern}}, strict).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(TestEventPattern(kPattern, R"({"detail": {"name": "ab"}})", strict).status().code(),
            absl::StatusCode::kInvalidArgument);
  RuleSet rules(strict);
  EXPECT_EQ(rules.Put("r", kPattern).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(rules.Put("plain", R"({"detail": {"name": ["ab"]}})").ok());
}

// Catastrophic for a backtracking engine; RE2 is linear.
TEST(Options, RegexpRunsInLinearTime) {
  const std::string event = R"({"name": ")" + std::string(100000, 'x') + R"("})";
  for (const char* regexp : {"(x+x+)+y", "(x*)*y", "(x|xx)+y"}) {
    SCOPED_TRACE(regexp);
    const std::string pattern = std::string(R"({"name": [{"regexp": ")") + regexp + R"("}]})";
    absl::StatusOr<bool> got = TestEventPattern(pattern, event);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_FALSE(*got);
    got = TestEventPattern(pattern, R"({"name": "xxxy"})");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(*got);
  }
}

// ---------------------------------------------------------------------------
// RuleSet

TEST(RuleSet, StartsEmpty) {
  RuleSet rules;
  std::shared_ptr<const Matcher> m = rules.Current();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->rule_count(), 0u);
  EXPECT_THAT(MatchIds(*m, R"({"source": "a"})"), IsEmpty());
}

TEST(RuleSet, PutPublishesAndOldMatcherStaysUsable) {
  RuleSet rules;
  std::shared_ptr<const Matcher> before = rules.Current();
  ASSERT_TRUE(rules.Put("r1", R"({"source": ["a"]})").ok());
  std::shared_ptr<const Matcher> after = rules.Current();
  ASSERT_NE(after, before);
  EXPECT_EQ(before->rule_count(), 0u);
  EXPECT_THAT(MatchIds(*before, R"({"source": "a"})"), IsEmpty());
  ASSERT_EQ(after->rule_count(), 1u);
  EXPECT_EQ(after->rule_name(0), "r1");
  EXPECT_THAT(MatchIds(*after, R"({"source": "a"})"), ElementsAre(0u));
}

TEST(RuleSet, PutReplacesRuleWithSameName) {
  RuleSet rules;
  ASSERT_TRUE(rules.Put("r1", R"({"source": ["a"]})").ok());
  ASSERT_TRUE(rules.Put("r2", R"({"source": ["c"]})").ok());
  ASSERT_TRUE(rules.Put("r1", R"({"source": ["b"]})").ok());
  std::shared_ptr<const Matcher> m = rules.Current();
  EXPECT_EQ(m->rule_count(), 2u);
  absl::StatusOr<std::vector<std::string>> names = m->MatchNames(R"({"source": "a"})");
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, IsEmpty());
  names = m->MatchNames(R"({"source": "b"})");
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ElementsAre("r1"));
}

TEST(RuleSet, InvalidPutKeepsPublishedMatcher) {
  RuleSet rules;
  ASSERT_TRUE(rules.Put("r1", R"({"source": ["a"]})").ok());
  std::shared_ptr<const Matcher> before = rules.Current();
  absl::Status status = rules.Put("r2", R"({"source": [{"prefix": 5}]})");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(kReasonPrefix));
  EXPECT_THAT(std::string(status.message()), HasSubstr("source"));
  EXPECT_EQ(rules.Current(), before);
  // Replacing a valid rule with an invalid pattern keeps the old pattern.
  EXPECT_FALSE(rules.Put("r1", R"({"source": []})").ok());
  EXPECT_EQ(rules.Current(), before);
  EXPECT_THAT(MatchIds(*rules.Current(), R"({"source": "a"})"), ElementsAre(0u));
}

TEST(RuleSet, Remove) {
  RuleSet rules;
  ASSERT_TRUE(rules.Put("r1", R"({"source": ["a"]})").ok());
  ASSERT_TRUE(rules.Put("r2", R"({"source": ["a"]})").ok());
  std::shared_ptr<const Matcher> before = rules.Current();
  EXPECT_EQ(rules.Remove("absent").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(rules.Current(), before);
  ASSERT_TRUE(rules.Remove("r1").ok());
  std::shared_ptr<const Matcher> after = rules.Current();
  ASSERT_EQ(after->rule_count(), 1u);
  EXPECT_EQ(after->rule_name(0), "r2");
  EXPECT_EQ(before->rule_count(), 2u);
  EXPECT_EQ(rules.Remove("r1").code(), absl::StatusCode::kNotFound);
}

TEST(RuleSet, ReplaceAllIsAllOrNothing) {
  RuleSet rules;
  ASSERT_TRUE(rules.Put("old", R"({"source": ["a"]})").ok());
  std::shared_ptr<const Matcher> before = rules.Current();
  absl::Status status =
      rules.ReplaceAll({{"n1", R"({"source": ["b"]})"}, {"n2", R"({"source": {"x": 1}})"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("n2"));
  EXPECT_EQ(rules.Current(), before);
  EXPECT_EQ(
      rules.ReplaceAll({{"n1", R"({"source": ["b"]})"}, {"n1", R"({"source": ["c"]})"}}).code(),
      absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules.Current(), before);

  ASSERT_TRUE(
      rules.ReplaceAll({{"n1", R"({"source": ["b"]})"}, {"n2", R"({"source": ["b", "a"]})"}}).ok());
  std::shared_ptr<const Matcher> after = rules.Current();
  ASSERT_EQ(after->rule_count(), 2u);
  absl::StatusOr<std::vector<std::string>> names = after->MatchNames(R"({"source": "a"})");
  ASSERT_TRUE(names.ok());
  EXPECT_THAT(*names, ElementsAre("n2"));
  ASSERT_TRUE(rules.ReplaceAll({}).ok());
  EXPECT_EQ(rules.Current()->rule_count(), 0u);
}

// Writers publish while readers keep matching with whatever Current() returns.
// Every rule ever published matches the reader's event, so each result must
// list every rule of the matcher it came from.
TEST(RuleSet, ReadersMatchWhileWritersPublish) {
  RuleSet rules;
  constexpr char kEvent[] = R"({"source": "s", "detail": {"n": 5}})";
  std::atomic<bool> done{false};
  std::atomic<int> reader_errors{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      MatchScratch scratch;
      std::vector<uint32_t> ids;
      for (int i = 0; i < 200000 && !done.load(); ++i) {
        std::shared_ptr<const Matcher> m = rules.Current();
        if (m == nullptr || !m->Match(kEvent, scratch, ids).ok() || ids.size() != m->rule_count()) {
          ++reader_errors;
          continue;
        }
        for (uint32_t id : ids) {
          if (m->rule_name(id).rfind("r", 0) != 0) ++reader_errors;
        }
        ++reads;
      }
    });
  }
  int writer_errors = 0;
  for (int i = 0; i < 300; ++i) {
    // (Built with append: GCC 12 gives a false -Wrestrict for "r" + std::string.)
    std::string name = "r";
    name.append(std::to_string(i % 17));
    const std::string pattern =
        i % 2 ? R"({"source": ["s"]})"
              : R"({"detail": {"n": [{"numeric": [">", )" + std::to_string(i % 5) + "]}]}}";
    if (i % 50 == 49) {
      writer_errors += !rules
                            .ReplaceAll({{"r-all-1", R"({"source": ["s"]})"},
                                         {"r-all-2", R"({"detail": {"n": [5]}})"}})
                            .ok();
    } else if (i % 7 == 3) {
      absl::Status s = rules.Remove(name);
      writer_errors += !(s.ok() || s.code() == absl::StatusCode::kNotFound);
    } else {
      writer_errors += !rules.Put(name, pattern).ok();
    }
    // An invalid put never disturbs the readers.
    writer_errors += rules.Put("bad", R"({"source": "s"})").ok();
  }
  done = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(writer_errors, 0);
  EXPECT_EQ(reader_errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace busbar::matcher
