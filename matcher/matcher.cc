// Public API of busbar::matcher: Matcher, MatchScratch, RuleSet and the helpers.
// Wires the pipeline pattern_parser -> compiler (Automaton) -> flattener.
#include "matcher/matcher.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "matcher/automaton.h"
#include "matcher/flattener.h"
#include "matcher/pattern_parser.h"

namespace busbar::matcher {

using internal::Automaton;
using internal::ParsedPattern;

struct MatchScratch::State {
  internal::MatchState match;
};

MatchScratch::MatchScratch() : state_(std::make_unique<State>()) {}
MatchScratch::~MatchScratch() = default;

struct Matcher::Impl {
  Options options;
  std::vector<std::string> names;
  Automaton automaton;
};

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

namespace {

absl::Status CheckName(const std::string& name, std::set<std::string_view>& seen) {
  if (name.empty()) return absl::InvalidArgumentError("rule name must not be empty");
  if (!seen.insert(name).second) {
    return absl::InvalidArgumentError(absl::StrCat("duplicate rule name '", name, "'"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidatePattern(std::string_view pattern_json, const Options& options) {
  return internal::ParsePattern(pattern_json, options).status();
}

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::Compile(const std::vector<RuleSpec>& rules,
                                                                const Options& options) {
  std::set<std::string_view> seen;
  std::vector<ParsedPattern> parsed;
  parsed.reserve(rules.size());
  for (const RuleSpec& r : rules) {
    if (auto s = CheckName(r.name, seen); !s.ok()) return s;
    auto p = internal::ParsePattern(r.pattern, options);
    if (!p.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("rule '", r.name, "': ", p.status().message()));
    }
    parsed.push_back(std::move(*p));
  }
  std::vector<std::string> names;
  names.reserve(rules.size());
  for (const RuleSpec& r : rules) names.push_back(r.name);
  return CompileParsed(std::move(names), parsed, options);
}

absl::StatusOr<std::shared_ptr<const Matcher>> Matcher::CompileParsed(
    std::vector<std::string> names, const std::vector<internal::ParsedPattern>& parsed,
    const Options& options) {
  auto automaton = Automaton::Compile(parsed);
  if (!automaton.ok()) return automaton.status();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->automaton = std::move(*automaton);
  impl->names = std::move(names);
  return std::shared_ptr<const Matcher>(new Matcher(std::move(impl)));
}

size_t Matcher::rule_count() const { return impl_->names.size(); }

const std::string& Matcher::rule_name(uint32_t id) const { return impl_->names[id]; }

absl::Status Matcher::Match(std::string_view event, MatchScratch& scratch,
                            std::vector<uint32_t>& matched) const {
  internal::MatchState& st = scratch.state_->match;
  st.Begin(impl_->automaton);
  absl::Status s =
      internal::FlattenEvent(impl_->automaton, event, impl_->options.max_event_depth, st);
  if (!s.ok()) {
    matched.clear();
    return s;
  }
  st.Finish(matched);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> Matcher::MatchNames(std::string_view event) const {
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  if (auto s = Match(event, scratch, ids); !s.ok()) return s;
  std::vector<std::string> names;
  names.reserve(ids.size());
  for (uint32_t id : ids) names.push_back(impl_->names[id]);
  std::sort(names.begin(), names.end());
  return names;
}

size_t Matcher::MemoryBytes() const {
  size_t b = sizeof(*this) + sizeof(Impl) + impl_->automaton.MemoryBytes();
  for (const auto& n : impl_->names) b += sizeof(std::string) + n.capacity();
  return b;
}

absl::StatusOr<bool> TestEventPattern(std::string_view pattern, std::string_view event,
                                      const Options& options) {
  auto p = internal::ParsePattern(pattern, options);
  if (!p.ok()) return p.status();
  std::vector<ParsedPattern> parsed;
  parsed.push_back(std::move(*p));
  auto m = Matcher::CompileParsed({"pattern"}, parsed, options);
  if (!m.ok()) return m.status();
  MatchScratch scratch;
  std::vector<uint32_t> ids;
  if (auto s = (*m)->Match(event, scratch, ids); !s.ok()) return s;
  return !ids.empty();
}

RuleSet::RuleSet(Options options) : options_(std::move(options)) {
  current_ = *Matcher::Compile({}, options_);
}

absl::Status RuleSet::Put(const std::string& name, const std::string& pattern) {
  if (name.empty()) return absl::InvalidArgumentError("rule name must not be empty");
  if (auto s = ValidatePattern(pattern, options_); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("rule '", name, "': ", s.message()));
  }
  absl::MutexLock lock(&write_mu_);
  std::vector<RuleSpec> next = rules_;
  auto it =
      std::find_if(next.begin(), next.end(), [&](const RuleSpec& r) { return r.name == name; });
  if (it != next.end()) {
    it->pattern = pattern;
  } else {
    next.push_back({name, pattern});
  }
  return PublishLocked(std::move(next));
}

absl::Status RuleSet::Remove(const std::string& name) {
  absl::MutexLock lock(&write_mu_);
  std::vector<RuleSpec> next = rules_;
  auto it =
      std::find_if(next.begin(), next.end(), [&](const RuleSpec& r) { return r.name == name; });
  if (it == next.end()) return absl::NotFoundError(absl::StrCat("rule '", name, "' not found"));
  next.erase(it);
  return PublishLocked(std::move(next));
}

absl::Status RuleSet::ReplaceAll(const std::vector<RuleSpec>& rules) {
  absl::MutexLock lock(&write_mu_);
  return PublishLocked(rules);
}

absl::Status RuleSet::PublishLocked(std::vector<RuleSpec> rules) {
  auto m = Matcher::Compile(rules, options_);
  if (!m.ok()) return m.status();
  rules_ = std::move(rules);
  absl::MutexLock lock(&publish_mu_);
  current_ = std::move(*m);
  return absl::OkStatus();
}

std::shared_ptr<const Matcher> RuleSet::Current() const {
  absl::MutexLock lock(&publish_mu_);
  return current_;
}

}  // namespace busbar::matcher
