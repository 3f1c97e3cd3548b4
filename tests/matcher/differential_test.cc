// Differential test: random patterns and events (pattern_event_generator.h),
// busbar::matcher against the reference matcher (reference_matcher.h), through
// TestEventPattern and through multi-rule matchers. Seeds are fixed, so a failure
// reproduces; each mismatch prints the pattern and the event.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "matcher/matcher.h"
#include "tests/matcher/pattern_event_generator.h"
#include "tests/matcher/reference_matcher.h"

namespace busbar::matcher {
namespace {

using busbar::testing::Json;
using busbar::testing::PatternEventGenerator;
using busbar::testing::ReferenceEvent;
using busbar::testing::ReferenceMatches;
using busbar::testing::ReferencePattern;

// Counts failures by kind and prints the first few of each.
class Failures {
 public:
  void Add(const std::string& kind, const std::string& detail) {
    if (++counts_[kind] <= 10) ADD_FAILURE() << kind << "\n" << detail;
  }
  int total() const {
    int total = 0;
    for (const auto& [kind, count] : counts_) total += count;
    return total;
  }
  std::string Summary() const {
    std::string out;
    for (const auto& [kind, count] : counts_) out += kind + ": " + std::to_string(count) + "\n";
    return out;
  }

 private:
  std::map<std::string, int> counts_;
};

// For longer explorations: BUSBAR_DIFFERENTIAL_SCALE multiplies the case counts,
// BUSBAR_DIFFERENTIAL_SEED shifts the seeds.
int Scale() {
  const char* scale = std::getenv("BUSBAR_DIFFERENTIAL_SCALE");
  return scale == nullptr ? 1 : std::max(1, std::atoi(scale));
}
uint64_t Seed(uint64_t base) {
  const char* seed = std::getenv("BUSBAR_DIFFERENTIAL_SEED");
  return base + (seed == nullptr ? 0 : std::strtoull(seed, nullptr, 10));
}

// ---------------------------------------------------------------------------

TEST(Differential, GeneratorProducesValidJson) {
  PatternEventGenerator gen(1);
  for (int i = 0; i < 200; ++i) {
    Json pattern = gen.Pattern();
    ASSERT_TRUE(ReferencePattern::Parse(pattern.Dump()).ok()) << pattern.Dump();
    Json event = gen.Event(&pattern);
    ASSERT_TRUE(ReferenceEvent::Parse(event.Dump()).ok()) << event.Dump();
    const std::string noisy = gen.Serialize(event, true);
    ASSERT_TRUE(ReferenceEvent::Parse(noisy).ok()) << noisy;
    const std::string noisy_pattern = gen.Serialize(pattern, true);
    ASSERT_TRUE(ReferencePattern::Parse(noisy_pattern).ok()) << noisy_pattern;
  }
}

// 20,000 (pattern, event) cases through TestEventPattern.
TEST(Differential, TestEventPatternAgreesWithReference) {
  const int kPatterns = 5000 * Scale();
  constexpr int kEventsPerPattern = 4;
  PatternEventGenerator gen(Seed(20240611));
  Failures failures;
  int cases = 0;
  int matches = 0;
  for (int p = 0; p < kPatterns; ++p) {
    const Json pattern_json = gen.Pattern();
    const std::string pattern = gen.Serialize(pattern_json, gen.Chance(0.2));
    absl::StatusOr<ReferencePattern> reference = ReferencePattern::Parse(pattern);
    ASSERT_TRUE(reference.ok()) << pattern;
    if (absl::Status valid = ValidatePattern(pattern); !valid.ok()) {
      failures.Add("valid pattern rejected",
                   "pattern: " + pattern + "\nerror: " + std::string(valid.message()));
      continue;
    }
    for (int e = 0; e < kEventsPerPattern; ++e) {
      const Json event_json = gen.Event(gen.Chance(0.85) ? &pattern_json : nullptr);
      const std::string event = gen.Serialize(event_json, gen.Chance(0.3));
      absl::StatusOr<ReferenceEvent> reference_event = ReferenceEvent::Parse(event);
      ASSERT_TRUE(reference_event.ok()) << event;
      const bool want = ReferenceMatches(*reference, *reference_event);
      ++cases;
      matches += want;
      absl::StatusOr<bool> got = TestEventPattern(pattern, event);
      if (!got.ok()) {
        failures.Add("event rejected", "pattern: " + pattern + "\nevent:   " + event +
                                           "\nerror: " + std::string(got.status().message()));
      } else if (*got != want) {
        failures.Add(want ? "missed match" : "false match",
                     "pattern: " + pattern + "\nevent:   " + event +
                         "\nreference: " + (want ? "match" : "no match"));
      }
    }
  }
  EXPECT_EQ(failures.total(), 0) << failures.Summary();
  EXPECT_GE(cases, kPatterns * kEventsPerPattern * 9 / 10);
  const double fraction = static_cast<double>(matches) / cases;
  std::printf("differential: %d cases, %.1f%% match\n", cases, 100 * fraction);
  EXPECT_GT(fraction, 0.10);
  EXPECT_LT(fraction, 0.90);
}

// Compiles `batches` matchers of random rules and matches random events against
// each, comparing every rule's outcome with the reference. One scratch is shared
// by all matchers.
struct BatchPlan {
  uint64_t seed;
  int batches;
  int rules_per_batch;
  int events_per_batch;
  double noisy_pattern_chance;  // patterns serialized with escapes and spaces
  double guided_event_chance;   // events shaped after one of the patterns
  bool rejected_pattern_fails;  // else a rejected pattern is skipped (tested elsewhere)
  const char* label;
};

struct BatchCounts {
  long pairs = 0;
  long matching_pairs = 0;
};

void RunBatches(const BatchPlan& plan, Failures& failures, BatchCounts& counts) {
  PatternEventGenerator gen(plan.seed);
  MatchScratch scratch;
  const std::string label = plan.label;
  for (int batch = 0; batch < plan.batches; ++batch) {
    std::vector<Json> pattern_jsons;
    std::vector<RuleSpec> rules;
    std::vector<ReferencePattern> references;
    for (int r = 0; r < plan.rules_per_batch; ++r) {
      Json pattern_json = gen.Pattern();
      std::string pattern = gen.Serialize(pattern_json, gen.Chance(plan.noisy_pattern_chance));
      absl::StatusOr<ReferencePattern> reference = ReferencePattern::Parse(pattern);
      ASSERT_TRUE(reference.ok()) << pattern;
      if (absl::Status valid = ValidatePattern(pattern); !valid.ok()) {
        if (plan.rejected_pattern_fails) {
          failures.Add("valid pattern rejected",
                       "pattern: " + pattern + "\nerror: " + std::string(valid.message()));
        }
        continue;
      }
      rules.push_back({"rule-" + std::to_string(r), pattern});
      pattern_jsons.push_back(std::move(pattern_json));
      references.push_back(*std::move(reference));
    }
    absl::StatusOr<std::shared_ptr<const Matcher>> matcher = Matcher::Compile(rules);
    ASSERT_TRUE(matcher.ok()) << matcher.status();
    ASSERT_EQ((*matcher)->rule_count(), rules.size());
    for (int e = 0; e < plan.events_per_batch; ++e) {
      const Json* guide = gen.Chance(plan.guided_event_chance) && !pattern_jsons.empty()
                              ? &gen.Pick(pattern_jsons)
                              : nullptr;
      const std::string event = gen.Serialize(gen.Event(guide), gen.Chance(0.3));
      absl::StatusOr<ReferenceEvent> reference_event = ReferenceEvent::Parse(event);
      ASSERT_TRUE(reference_event.ok()) << event;
      std::vector<uint32_t> want;
      for (uint32_t id = 0; id < references.size(); ++id) {
        if (ReferenceMatches(references[id], *reference_event)) want.push_back(id);
      }
      counts.pairs += references.size();
      counts.matching_pairs += want.size();
      std::vector<uint32_t> got;
      if (absl::Status status = (*matcher)->Match(event, scratch, got); !status.ok()) {
        failures.Add("event rejected",
                     "event: " + event + "\nerror: " + std::string(status.message()));
        continue;
      }
      if (got == want) continue;
      std::vector<bool> in_want(rules.size()), in_got(rules.size());
      for (uint32_t id : want) in_want[id] = true;
      for (uint32_t id : got) {
        if (id < rules.size()) in_got[id] = true;
      }
      for (size_t id = 0; id < rules.size(); ++id) {
        if (in_want[id] == in_got[id]) continue;
        failures.Add(
            (in_want[id] ? "missed match (" : "false match (") + label + ")",
            "pattern: " + rules[id].pattern + "\nevent:   " + event +
                "\nreference: " + (in_want[id] ? "match" : "no match") + "\nalone: " + [&] {
                  absl::StatusOr<bool> alone = TestEventPattern(rules[id].pattern, event);
                  return alone.ok() ? (*alone ? std::string("match") : std::string("no match"))
                                    : std::string(alone.status().message());
                }());
      }
    }
  }
}

// 100 matchers of 50 random rules each, 40 events per matcher.
TEST(Differential, CompiledRuleSetsAgreeWithReference) {
  Failures failures;
  BatchCounts counts;
  RunBatches({Seed(77), 100 * Scale(), 50, 40, 0.2, 0.8, true, "multi-rule"}, failures, counts);
  EXPECT_EQ(failures.total(), 0) << failures.Summary();
  std::printf("differential: %ld rule/event pairs, %ld matching\n", counts.pairs,
              counts.matching_pairs);
  EXPECT_GT(counts.matching_pairs, counts.pairs / 100);
}

// A few large matchers: 1000 random rules each, so that the compiled structures
// are shared by many rules.
TEST(Differential, LargeRuleSetsAgreeWithReference) {
  Failures failures;
  BatchCounts counts;
  const int batches = 3 * Scale(), events = 100;
  RunBatches({Seed(991), batches, 1000, events, 0.0, 0.9, false, "large"}, failures, counts);
  EXPECT_EQ(failures.total(), 0) << failures.Summary();
  EXPECT_GT(counts.matching_pairs, static_cast<long>(batches) * events);
}

}  // namespace
}  // namespace busbar::matcher
