// busbar::matcher — EventBridge event-pattern matching.
//
// The matcher turns (rule name, event pattern) pairs into one immutable compiled
// matcher, and an event's JSON bytes into the set of rules whose pattern matches.
// The pattern language is EventBridge's (shared/PATTERNS.md, summarised in
// README.md), plus the RE2 `regexp` extension.
//
//   auto m = busbar::matcher::Matcher::Compile({{"r1", R"({"source":["a"]})"}});
//   busbar::matcher::MatchScratch scratch;
//   std::vector<uint32_t> ids;
//   absl::Status s = (*m)->Match(R"({"source":"a"})", scratch, ids);  // ids == {0}
//
// Threads: a compiled Matcher is immutable and may be used by any number of threads
// at once, each with its own MatchScratch (a MatchScratch is thread-compatible: one
// thread at a time). A RuleSet publishes new Matchers while readers keep using the
// one they hold (readers never block on writers). The matcher knows nothing of
// gRPC, SQLite or buses.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace busbar::matcher {

namespace internal {
struct ParsedPattern;
}

// Compile-time options. The defaults accept everything EventBridge accepts.
struct Options {
  // Accept the RE2 `{"regexp": "..."}` extension. False under --strict-eventbridge.
  bool allow_regexp = true;
  // Largest wildcard complexity accepted: the most partial matches a single
  // wildcard pattern can keep alive at once on any input (see wildcard.h).
  // The default accepts "arn:aws:events:us-east-1:*:event-bus/*" and rejects
  // "*:*:*:*:*:event-bus/*", as EventBridge does.
  int max_wildcard_complexity = 8;
  // Most conjunctions one pattern may expand to through `$or`.
  int max_or_combinations = 1000;
  // Deepest event nesting accepted (objects + arrays). Must be >= 1000.
  int max_event_depth = 2048;
};

// One rule given to Compile.
struct RuleSpec {
  std::string name;
  std::string pattern;  // JSON text of an EventBridge event pattern
};

// Checks one pattern. Returns OK, or InvalidArgument whose message has
// EventBridge's form: "Event pattern is not valid. Reason: <path>: <what is wrong>".
absl::Status ValidatePattern(std::string_view pattern_json, const Options& options = {});

class Matcher;

// Per-thread scratch memory for Match. Reusing one across calls keeps matching
// free of allocations. Works with any Matcher. Thread-compatible.
class MatchScratch {
 public:
  MatchScratch();
  ~MatchScratch();
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;

 private:
  friend class Matcher;
  struct State;
  std::unique_ptr<State> state_;
};

// An immutable compiled set of rules. Thread-safe.
class Matcher {
 public:
  // Compiles the rules into one matcher. Rule ids are indexes into `rules`.
  // Errors: InvalidArgument naming the rule ("rule 'r1': Event pattern is not
  // valid. Reason: ...") for an invalid pattern; InvalidArgument for a duplicate
  // or empty rule name.
  static absl::StatusOr<std::shared_ptr<const Matcher>> Compile(const std::vector<RuleSpec>& rules,
                                                                const Options& options = {});

  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  size_t rule_count() const;
  const std::string& rule_name(uint32_t id) const;

  // Matches one event (a JSON object). On success replaces `*matched` with the
  // ids of the matching rules, ascending. Errors: InvalidArgument naming the byte
  // offset and reason for malformed JSON, a non-object event, or nesting deeper
  // than Options::max_event_depth. `event` need not outlive the call.
  absl::Status Match(std::string_view event, MatchScratch& scratch,
                     std::vector<uint32_t>& matched) const;

  // Convenience: the names of the matching rules, sorted. Allocates.
  absl::StatusOr<std::vector<std::string>> MatchNames(std::string_view event) const;

  // Approximate heap bytes held by the compiled structures.
  size_t MemoryBytes() const;

 private:
  friend absl::StatusOr<bool> TestEventPattern(std::string_view, std::string_view, const Options&);
  static absl::StatusOr<std::shared_ptr<const Matcher>> CompileParsed(
      std::vector<std::string> names, const std::vector<internal::ParsedPattern>& parsed,
      const Options& options);
  struct Impl;
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// TestEventPattern: does `pattern` match `event`? Errors: the pattern's
// InvalidArgument (EventBridge's wording) or the event's InvalidArgument.
absl::StatusOr<bool> TestEventPattern(std::string_view pattern, std::string_view event,
                                      const Options& options = {});

// A named, mutable collection of rules that publishes an immutable Matcher after
// every change. Writers are serialised; Current() never waits for a compile.
// Thread-safe.
class RuleSet {
 public:
  explicit RuleSet(Options options = {});

  // Adds or replaces one rule, then publishes. InvalidArgument if the pattern is
  // invalid (the published matcher is unchanged).
  absl::Status Put(const std::string& name, const std::string& pattern);
  // Removes one rule, then publishes. NotFound if absent.
  absl::Status Remove(const std::string& name);
  // Replaces every rule at once; all-or-nothing.
  absl::Status ReplaceAll(const std::vector<RuleSpec>& rules);

  // The latest published matcher (never null; empty before the first rule).
  std::shared_ptr<const Matcher> Current() const;

 private:
  absl::Status PublishLocked(std::vector<RuleSpec> rules) ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);

  const Options options_;
  absl::Mutex write_mu_;
  std::vector<RuleSpec> rules_ ABSL_GUARDED_BY(write_mu_);
  mutable absl::Mutex publish_mu_;
  std::shared_ptr<const Matcher> current_ ABSL_GUARDED_BY(publish_mu_);
};

}  // namespace busbar::matcher
