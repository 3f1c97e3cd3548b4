// MatchState: per-event bookkeeping and the array-consistency check; see
// automaton.h for the overall algorithm.
//
// Array consistency: each recorded leaf carries its membership, the list of
// (array instance, element index) pairs from the root down. Leaves are
// consistent when they agree on the element of every array they share. For a
// candidate subrule whose predicates hold only inside arrays, Solve() walks the
// membership tree: at an element (or the root) the predicates found directly
// there combine freely with those found in each nested array, while inside one
// array only one element may be chosen. Families of achievable predicate sets are
// kept as antichains of 64-bit masks.
#include "matcher/automaton.h"

#include <algorithm>

namespace busbar::matcher::internal {
namespace {

template <typename T>
void Grow(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n, 0);
}

struct Item {
  uint64_t bit;
  const uint32_t* mem;  // (array id, index) pairs
  uint32_t len;         // pairs
};

void AddMaximal(std::vector<uint64_t>& fam, uint64_t m) {
  for (uint64_t f : fam) {
    if ((f | m) == f) return;  // already covered
  }
  fam.erase(std::remove_if(fam.begin(), fam.end(), [m](uint64_t f) { return (f | m) == m; }),
            fam.end());
  fam.push_back(m);
}

std::vector<uint64_t> Solve(std::vector<Item>& items, size_t lo, size_t hi, uint32_t depth,
                            uint64_t full) {
  uint64_t direct = 0;
  std::vector<Item*> nested;
  for (size_t i = lo; i < hi; ++i) {
    if (items[i].len == depth) {
      direct |= items[i].bit;
    }
  }
  // Sort the nested items by (array id, element index) at this depth.
  auto mid = std::partition(items.begin() + lo, items.begin() + hi,
                            [depth](const Item& it) { return it.len == depth; });
  size_t start = static_cast<size_t>(mid - items.begin());
  std::sort(items.begin() + start, items.begin() + hi, [depth](const Item& a, const Item& b) {
    if (a.mem[2 * depth] != b.mem[2 * depth]) return a.mem[2 * depth] < b.mem[2 * depth];
    return a.mem[2 * depth + 1] < b.mem[2 * depth + 1];
  });
  std::vector<uint64_t> fam{direct};
  size_t i = start;
  while (i < hi) {
    uint32_t array = items[i].mem[2 * depth];
    std::vector<uint64_t> array_fam;
    while (i < hi && items[i].mem[2 * depth] == array) {
      uint32_t element = items[i].mem[2 * depth + 1];
      size_t j = i;
      while (j < hi && items[j].mem[2 * depth] == array && items[j].mem[2 * depth + 1] == element) {
        ++j;
      }
      for (uint64_t m : Solve(items, i, j, depth + 1, full)) AddMaximal(array_fam, m);
      i = j;
    }
    std::vector<uint64_t> next = fam;
    for (uint64_t f : fam) {
      for (uint64_t g : array_fam) AddMaximal(next, f | g);
    }
    fam = std::move(next);
    for (uint64_t f : fam) {
      if (f == full) return {full};
    }
  }
  return fam;
}

}  // namespace

void MatchState::Begin(const Automaton& a) {
  a_ = &a;
  if (pred_.size() < a.pred_info.size()) pred_.resize(a.pred_info.size());
  Grow(field_seen_, a.fields.size());
  Grow(slot_blocked_, a.slot_predicate.size());
  Grow(sub_stamp_, a.subrules.size());
  Grow(sub_count_, a.subrules.size());
  Grow(rule_stamp_, a.rule_count);
  if (++epoch_ == 0) {
    // The stamps wrapped around: forget everything once every 2^32 events.
    std::fill(pred_.begin(), pred_.end(), PredScratch{});
    for (auto* v : {&field_seen_, &sub_stamp_, &rule_stamp_}) {
      std::fill(v->begin(), v->end(), 0);
    }
    epoch_ = 1;
  }
  satisfied_.clear();
  direct_rules_.clear();
  pending_.clear();
  arena_.clear();
  entries_.clear();
  mem_pool_.clear();
  membership_.clear();
  array_counter_ = 0;
}

void MatchState::Satisfy(uint32_t pid, bool free_leaf) {
  PredScratch& p = pred_[pid];
  if (p.stamp != epoch_) {
    p.stamp = epoch_;
    p.head = kNone;
    satisfied_.push_back(pid);
  }
  if (free_leaf) {
    p.free = epoch_;
    return;
  }
  if (p.free == epoch_) return;
  if (p.head != kNone && entries_[p.head].mem_off == leaf_mem_off_) return;  // same leaf again
  entries_.push_back({p.head, leaf_mem_off_, leaf_mem_len_});
  p.head = static_cast<uint32_t>(entries_.size() - 1);
}

void MatchState::OnLeaf(uint32_t field, const LeafValue& v, bool transient_text) {
  field_seen_[field] = epoch_;
  PendingLeaf leaf{field, v.kind,
                   false, v.text.data(),
                   0,     static_cast<uint32_t>(v.text.size()),
                   0,     static_cast<uint32_t>(membership_.size() / 2)};
  if (transient_text) {
    leaf.in_arena = true;
    leaf.off = static_cast<uint32_t>(arena_.size());
    arena_.append(v.text);
  }
  if (!membership_.empty()) {
    leaf.mem_off = static_cast<uint32_t>(mem_pool_.size());
    mem_pool_.insert(mem_pool_.end(), membership_.begin(), membership_.end());
  }
  if (v.kind == LeafValue::Kind::kString) a_->fields[field].positive.Prefetch(v.text);
  pending_.push_back(leaf);
}

void MatchState::Evaluate(const PendingLeaf& leaf) {
  const FieldInfo& f = a_->fields[leaf.field];
  LeafValue v;
  v.kind = leaf.kind;
  v.text = leaf.in_arena ? std::string_view(arena_.data() + leaf.off, leaf.len)
                         : std::string_view(leaf.ptr, leaf.len);
  v.fold_buffer = &fold_buffer_;
  leaf_mem_off_ = leaf.mem_off;
  leaf_mem_len_ = leaf.mem_len;
  const bool free_leaf = leaf.mem_len == 0;
  if (!f.positive.empty()) {
    ids_.clear();
    f.positive.Match(v, ids_);
    for (uint32_t id : ids_) Hit(id, free_leaf);
  }
  if (!f.ab_slots.empty()) {
    if (++leaf_epoch_ == 0) {
      std::fill(slot_blocked_.begin(), slot_blocked_.end(), 0);
      leaf_epoch_ = 1;
    }
    ids_.clear();
    f.exclusion.Match(v, ids_);
    for (uint32_t slot : ids_) slot_blocked_[slot] = leaf_epoch_;
    for (uint32_t slot : f.ab_slots) {
      if (slot_blocked_[slot] != leaf_epoch_) Hit(a_->slot_predicate[slot], free_leaf);
    }
  }
}

bool MatchState::Consistent(const Subrule& s) {
  std::vector<uint32_t> bound;  // predicates satisfied only inside arrays
  for (uint32_t pid : s.predicates) {
    if (pred_[pid].free != epoch_) bound.push_back(pid);
  }
  if (bound.size() <= 1) return true;
  std::vector<Item> items;
  for (size_t j = 0; j < bound.size(); ++j) {
    for (uint32_t e = pred_[bound[j]].head; e != kNone; e = entries_[e].next) {
      items.push_back(
          {uint64_t{1} << j, mem_pool_.data() + entries_[e].mem_off, entries_[e].mem_len});
    }
  }
  const uint64_t full = bound.size() == 64 ? ~uint64_t{0} : (uint64_t{1} << bound.size()) - 1;
  for (uint64_t m : Solve(items, 0, items.size(), 0, full)) {
    if (m == full) return true;
  }
  return false;
}

void MatchState::Finish(std::vector<uint32_t>& rules) {
  for (const PendingLeaf& leaf : pending_) Evaluate(leaf);
  for (uint32_t field : a_->fields_with_absent) {
    if (field_seen_[field] == epoch_) continue;
    for (uint32_t id : a_->fields[field].absent) Hit(id, /*free_leaf=*/true);
  }
  candidates_.clear();
  rules.assign(direct_rules_.begin(), direct_rules_.end());
  for (uint32_t pid : satisfied_) {
    const PredicateInfo& info = a_->pred_info[pid];
    for (uint32_t k = info.sub_begin; k < info.sub_begin + info.sub_count; ++k) {
      uint32_t sid = a_->pred_subrules[k];
      if (sub_stamp_[sid] != epoch_) {
        sub_stamp_[sid] = epoch_;
        sub_count_[sid] = 0;
      }
      if (++sub_count_[sid] == a_->sub_size[sid]) candidates_.push_back(sid);
    }
  }
  for (uint32_t sid : candidates_) {
    const Subrule& s = a_->subrules[sid];
    if (rule_stamp_[s.rule] == epoch_) continue;
    if (Consistent(s)) {
      rule_stamp_[s.rule] = epoch_;
      rules.push_back(s.rule);
    }
  }
  std::sort(rules.begin(), rules.end());
}

}  // namespace busbar::matcher::internal
