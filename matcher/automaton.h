// Internal to busbar::matcher. The compiled form of all rules:
//
//   path trie   event keys -> path nodes; only paths some rule reads exist, so
//               the flattener skips every other field without looking inside.
//   fields      per path with conditions: a ValueIndex of positive conditions,
//               a ValueIndex of anything-but exclusions, the exists:false tests.
//   predicates  one per distinct (path, alternatives) field test, shared by all
//               rules that test the same thing.
//   subrules    one per conjunction (a rule has one per `$or` combination): the
//               predicates that must all hold, with consistent array elements.
//
// Matching one event (MatchState): the flattener reports each leaf at a known
// path; its satisfied predicates are recorded with the leaf's array membership.
// Afterwards each satisfied predicate bumps a counter on its subrules; a subrule
// whose counter reaches its size is a candidate, confirmed at once when at most
// one of its predicates was satisfied only inside arrays, or else by the array
// consistency check. Work is proportional to what the event satisfies, not to
// the number of rules.
//
// An Automaton is immutable after Compile and thread-safe; a MatchState is
// per-thread scratch (thread-compatible).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "matcher/pattern_parser.h"
#include "matcher/value_index.h"

namespace busbar::matcher::internal {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

struct PathNode {
  // Children by one path component (no dots).
  std::vector<std::pair<std::string, uint32_t>> small;  // when few
  absl::flat_hash_map<std::string, uint32_t> large;     // when many
  uint32_t field = kNone;  // index into Automaton::fields, if conditions here

  uint32_t Child(std::string_view key) const {
    if (!large.empty()) {
      auto it = large.find(absl::string_view(key.data(), key.size()));
      return it == large.end() ? kNone : it->second;
    }
    for (const auto& [k, id] : small) {
      if (k.size() == key.size() && std::equal(k.begin(), k.end(), key.begin())) return id;
    }
    return kNone;
  }
};

// The node reached from `node` by event key `key`; a key with dots descends one
// component at a time ("b.c" under "a" is "a.b.c"). kNone if no rule reads it.
inline uint32_t Descend(const std::vector<PathNode>& nodes, uint32_t node, std::string_view key) {
  if (key.find('.') == std::string_view::npos) return nodes[node].Child(key);
  size_t start = 0;
  while (node != kNone) {
    size_t dot = key.find('.', start);
    if (dot == std::string_view::npos) return nodes[node].Child(key.substr(start));
    node = nodes[node].Child(key.substr(start, dot - start));
    start = dot + 1;
  }
  return kNone;
}

struct FieldInfo {
  ValueIndex positive;             // ids: predicate ids
  ValueIndex exclusion;            // ids: anything-but slots
  std::vector<uint32_t> ab_slots;  // global anything-but slots of this field
  std::vector<uint32_t> absent;    // predicates satisfied when no leaf is here
};

struct Subrule {
  uint32_t rule;
  std::vector<uint32_t> predicates;
};

// Per predicate (indexed by predicate id): where its subrules are in
// Automaton::pred_subrules, kept flat for the matching loop.
struct PredicateInfo {
  uint32_t sub_begin = 0;
  uint32_t sub_count = 0;
};

// Ids in the value indexes (and slot_predicate) are predicate ids, except that
// a predicate that is a whole rule by itself (its only subrule is just this
// predicate: the common one-field rule) is stored as kDirectRule | rule id, so a
// matching leaf completes the rule without any per-predicate bookkeeping.
inline constexpr uint32_t kDirectRule = 0x80000000u;

class Automaton {
 public:
  // Compiles parsed patterns; patterns[i] belongs to rule i.
  static absl::StatusOr<Automaton> Compile(const std::vector<ParsedPattern>& patterns);

  std::vector<PathNode> nodes;  // nodes[0] is the root
  std::vector<FieldInfo> fields;
  std::vector<uint32_t> fields_with_absent;
  std::vector<uint32_t> slot_predicate;  // anything-but slot -> predicate id
  std::vector<Subrule> subrules;
  size_t rule_count = 0;

  // Flat per-predicate and per-subrule data for the matching loop (fewer cache
  // misses); pred_info.size() is the number of predicates.
  std::vector<PredicateInfo> pred_info;
  std::vector<uint32_t> pred_subrules;
  std::vector<uint32_t> sub_size;

  size_t MemoryBytes() const;
};

// Per-thread scratch for matching one event at a time against an Automaton.
class MatchState {
 public:
  // Starts a new event. REQUIRES: the same automaton until Finish.
  void Begin(const Automaton& a);

  // Array membership of the leaves about to be reported.
  void EnterArray() {
    membership_.push_back(++array_counter_);
    membership_.push_back(0);
  }
  void NextElement() { ++membership_.back(); }
  void LeaveArray() { membership_.resize(membership_.size() - 2); }

  // Reports one leaf value at path node field `field`. The leaf is recorded
  // (with its array membership) and evaluated in Finish, after a prefetch of its
  // hash slot, so the memory latency of large rule sets overlaps the rest of the
  // walk. `v.text` must stay valid until Finish, unless `transient_text` (then
  // it is copied, e.g. a string unescaped into a reused buffer).
  void OnLeaf(uint32_t field, const LeafValue& v, bool transient_text);

  // Ends the event; fills `rules` with the matching rule ids, ascending.
  void Finish(std::vector<uint32_t>& rules);

  std::string& unescape_buffer() { return unescape_buffer_; }
  std::string& key_buffer() { return key_buffer_; }

 private:
  struct Entry {
    uint32_t next;     // next entry of the same predicate, or kNone
    uint32_t mem_off;  // offset in mem_pool_ of (array id, index) pairs
    uint32_t mem_len;  // number of pairs
  };
  struct PendingLeaf {
    uint32_t field;
    LeafValue::Kind kind;
    bool in_arena;      // text copied into arena_ at offset `off`
    const char* ptr;    // text, when not in the arena
    uint32_t off, len;  // arena offset (if in_arena) and text length
    uint32_t mem_off, mem_len;
  };
  void Evaluate(const PendingLeaf& leaf);
  void Satisfy(uint32_t pid, bool free_leaf);
  void Hit(uint32_t id, bool free_leaf) {
    if (id & kDirectRule) {
      uint32_t rule = id & ~kDirectRule;
      if (rule_stamp_[rule] != epoch_) {
        rule_stamp_[rule] = epoch_;
        direct_rules_.push_back(rule);
      }
    } else {
      Satisfy(id, free_leaf);
    }
  }
  bool Consistent(const Subrule& s);

  const Automaton* a_ = nullptr;
  uint32_t epoch_ = 0;
  uint32_t leaf_epoch_ = 0;
  uint32_t array_counter_ = 0;
  std::vector<uint32_t> membership_;  // (array id, element index) pairs
  uint32_t leaf_mem_off_ = 0;         // the evaluated leaf's membership in mem_pool_
  uint32_t leaf_mem_len_ = 0;         // (pairs)
  std::vector<PendingLeaf> pending_;
  std::string arena_;

  struct PredScratch {
    uint32_t stamp = 0;  // epoch in which the predicate was first satisfied
    uint32_t free = 0;   // epoch in which a leaf outside any array satisfied it
    uint32_t head = 0;   // first Entry of its leaves inside arrays
  };
  std::vector<PredScratch> pred_;
  std::vector<uint32_t> satisfied_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> mem_pool_;
  std::vector<uint32_t> field_seen_;
  std::vector<uint32_t> slot_blocked_;
  std::vector<uint32_t> sub_stamp_, sub_count_;
  std::vector<uint32_t> rule_stamp_;
  std::vector<uint32_t> ids_;
  std::vector<uint32_t> candidates_;
  std::vector<uint32_t> direct_rules_;
  std::string fold_buffer_, unescape_buffer_, key_buffer_;
};

}  // namespace busbar::matcher::internal
