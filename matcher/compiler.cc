// Automaton::Compile: parsed patterns -> path trie, field indexes, predicates and
// subrules (see automaton.h for the structure).
//
// A path "a.b.c" is a chain of nodes, one edge per component; the flattener
// splits event keys that contain dots the same way, so a pattern's nesting and
// an event's dotted keys meet in the same node. Identical field tests
// of different rules (same path, same alternatives) share one predicate.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "matcher/automaton.h"

namespace busbar::matcher::internal {
namespace {

constexpr size_t kSmallChildren = 8;

class Compiler {
 public:
  explicit Compiler(Automaton* a) : a_(a) {
    a_->nodes.emplace_back();
    node_by_path_[""] = 0;
  }

  void AddRule(uint32_t rule, const ParsedPattern& p) {
    for (const Conjunction& conj : p.conjunctions) {
      Subrule s;
      s.rule = rule;
      for (const FieldTest& ft : conj) {
        uint32_t pid = PredicateFor(ft);
        bool dup = false;
        for (uint32_t q : s.predicates) dup |= q == pid;
        if (!dup) s.predicates.push_back(pid);
      }
      uint32_t sid = static_cast<uint32_t>(a_->subrules.size());
      for (uint32_t pid : s.predicates) pred_subs_[pid].push_back(sid);
      a_->subrules.push_back(std::move(s));
    }
  }

  void Finish() {
    a_->pred_info.resize(pred_subs_.size());
    std::vector<uint32_t> direct(pred_subs_.size());
    for (uint32_t pid = 0; pid < pred_subs_.size(); ++pid) {
      const auto& subs = pred_subs_[pid];
      PredicateInfo& info = a_->pred_info[pid];
      info.sub_begin = static_cast<uint32_t>(a_->pred_subrules.size());
      info.sub_count = static_cast<uint32_t>(subs.size());
      a_->pred_subrules.insert(a_->pred_subrules.end(), subs.begin(), subs.end());
      direct[pid] = pid;
      if (subs.size() == 1 && a_->subrules[subs[0]].predicates.size() == 1) {
        direct[pid] = kDirectRule | a_->subrules[subs[0]].rule;
      }
    }
    for (FieldInfo& f : a_->fields) {
      f.positive.RemapIds(direct);
    }
    for (uint32_t& pid : a_->slot_predicate) pid = direct[pid];
    for (FieldInfo& f : a_->fields) {
      for (uint32_t& pid : f.absent) pid = direct[pid];
    }
    for (uint32_t f = 0; f < a_->fields.size(); ++f) {
      a_->fields[f].positive.Finalize();
      a_->fields[f].exclusion.Finalize();
      if (!a_->fields[f].absent.empty()) a_->fields_with_absent.push_back(f);
    }
    for (const Subrule& s : a_->subrules) {
      a_->sub_size.push_back(static_cast<uint32_t>(s.predicates.size()));
    }
    for (PathNode& n : a_->nodes) {
      if (n.small.size() > kSmallChildren) {
        for (auto& [k, id] : n.small) n.large[k] = id;
        n.small.clear();
        n.small.shrink_to_fit();
      }
    }
  }

 private:
  uint32_t NodeFor(const std::string& prefix) {
    auto it = node_by_path_.find(prefix);
    if (it != node_by_path_.end()) return it->second;
    uint32_t id = static_cast<uint32_t>(a_->nodes.size());
    a_->nodes.emplace_back();
    node_by_path_[prefix] = id;
    return id;
  }

  // Creates the nodes and edges of `path`, one edge per dot-separated
  // component; returns its node. Event keys that contain dots are split the
  // same way by the flattener (PathNode::Descend).
  uint32_t EnsurePath(const std::string& path) {
    uint32_t from = 0;
    size_t start = 0;
    while (true) {
      size_t dot = path.find('.', start);
      size_t end = dot == std::string::npos ? path.size() : dot;
      uint32_t to = NodeFor(path.substr(0, end));
      std::string key = path.substr(start, end - start);
      PathNode& n = a_->nodes[from];
      bool present = false;
      for (const auto& [k, id] : n.small) present |= k == key;
      if (!present) n.small.emplace_back(std::move(key), to);
      if (dot == std::string::npos) return to;
      from = to;
      start = dot + 1;
    }
  }

  uint32_t PredicateFor(const FieldTest& ft) {
    std::string key = ft.Canonical();
    auto it = predicate_by_key_.find(key);
    if (it != predicate_by_key_.end()) return it->second;
    uint32_t pid = static_cast<uint32_t>(pred_subs_.size());
    pred_subs_.emplace_back();
    predicate_by_key_.emplace(std::move(key), pid);

    uint32_t node = EnsurePath(ft.path);
    if (a_->nodes[node].field == kNone) {
      a_->nodes[node].field = static_cast<uint32_t>(a_->fields.size());
      a_->fields.emplace_back();
    }
    FieldInfo& f = a_->fields[a_->nodes[node].field];
    for (const Condition& c : ft.alternatives) {
      if (c.kind == CondKind::kAnythingBut) {
        uint32_t slot = static_cast<uint32_t>(a_->slot_predicate.size());
        a_->slot_predicate.push_back(pid);
        f.ab_slots.push_back(slot);
        for (const Condition& e : c.excluded) f.exclusion.Add(e, slot);
      } else {
        f.positive.Add(c, pid);
      }
    }
    if (ft.absent_ok) f.absent.push_back(pid);
    return pid;
  }

  Automaton* a_;
  absl::flat_hash_map<std::string, uint32_t> node_by_path_;
  absl::flat_hash_map<std::string, uint32_t> predicate_by_key_;
  std::vector<std::vector<uint32_t>> pred_subs_;  // predicate id -> its subrules
};

}  // namespace

absl::StatusOr<Automaton> Automaton::Compile(const std::vector<ParsedPattern>& patterns) {
  Automaton a;
  a.rule_count = patterns.size();
  Compiler c(&a);
  for (uint32_t i = 0; i < patterns.size(); ++i) c.AddRule(i, patterns[i]);
  c.Finish();
  return a;
}

size_t Automaton::MemoryBytes() const {
  size_t b = sizeof(*this);
  for (const PathNode& n : nodes) {
    b += sizeof(PathNode) + n.small.capacity() * 40 + n.large.capacity() * 40;
  }
  for (const FieldInfo& f : fields) {
    b += f.positive.MemoryBytes() + f.exclusion.MemoryBytes() + f.ab_slots.capacity() * 4 +
         f.absent.capacity() * 4;
  }
  b += pred_info.capacity() * sizeof(PredicateInfo) + pred_subrules.capacity() * 4 +
       sub_size.capacity() * 4;
  for (const Subrule& s : subrules) b += sizeof(Subrule) + s.predicates.capacity() * 4;
  b += slot_predicate.capacity() * 4;
  return b;
}

}  // namespace busbar::matcher::internal
