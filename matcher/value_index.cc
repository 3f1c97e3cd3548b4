// ValueIndex; see value_index.h.
//
// Exact values live in hash maps keyed by the string, the case-folded string, the
// number's bits (or its text when it does not round-trip). Prefixes and suffixes
// are hash maps too, probed once per distinct condition length. Numeric ranges cut
// the number line at every bound into 2n+1 elementary segments (each bound is its
// own segment, so open and closed ends need no special case); a value finds its
// segment by binary search and the segment lists every range that covers it.
#include "matcher/value_index.h"

#include <algorithm>
#include <cmath>

#include "matcher/text.h"
#include "re2/re2.h"

namespace busbar::matcher::internal {
namespace {

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

const IdList* Find(const absl::flat_hash_map<std::string, IdList>& m, std::string_view key) {
  if (m.empty()) return nullptr;
  auto it = m.find(AV(key));
  return it == m.end() ? nullptr : &it->second;
}

std::string CidrKey(const IpAddress& a, int len) {
  std::string k(reinterpret_cast<const char*>(a.bytes), a.v6 ? 16 : 4);
  k.push_back(static_cast<char>(len));
  return k;
}

// Above this many (segment, id) entries, ranges are tested one by one instead.
constexpr size_t kMaxSegmentEntries = 4 << 20;

}  // namespace

void LeafValue::ParseNumber() const {
  if (number_parsed) return;
  number_parsed = true;
  number_ok = ParseDouble(text, &number);
}

bool LeafValue::RoundTripsNumber() const {
  if (round_trips < 0) round_trips = RoundTrips(text, number) ? 1 : 0;
  return round_trips == 1;
}

std::string_view LeafValue::Folded() const {
  if (!folded_done) {
    folded_done = true;
    fold_buffer->clear();
    FoldCase(text, fold_buffer);
  }
  return *fold_buffer;
}

ValueIndex::ValueIndex() = default;
ValueIndex::~ValueIndex() = default;
ValueIndex::ValueIndex(ValueIndex&&) noexcept = default;
ValueIndex& ValueIndex::operator=(ValueIndex&&) noexcept = default;

void ValueIndex::Add(const Condition& c, uint32_t id) {
  empty_ = false;
  auto add_affix = [&](Affix& a) {
    a.map[c.text].push_back(id);
    a.lengths.push_back(static_cast<uint32_t>(c.text.size()));
  };
  switch (c.kind) {
    case CondKind::kString:
      strings_[c.text].push_back(id);
      break;
    case CondKind::kNumber:
      if (c.round_trips) {
        numbers_[NumberKey(c.number)].push_back(id);
      } else {
        number_texts_[c.text].push_back(id);
      }
      break;
    case CondKind::kTrue:
      true_.push_back(id);
      break;
    case CondKind::kFalse:
      false_.push_back(id);
      break;
    case CondKind::kNull:
      null_.push_back(id);
      break;
    case CondKind::kExists:
      any_.push_back(id);
      break;
    case CondKind::kPrefix:
      add_affix(prefix_);
      break;
    case CondKind::kSuffix:
      add_affix(suffix_);
      break;
    case CondKind::kPrefixCI:
      add_affix(ci_prefix_);
      needs_fold_ = true;
      break;
    case CondKind::kSuffixCI:
      add_affix(ci_suffix_);
      needs_fold_ = true;
      break;
    case CondKind::kEqualsCI:
      folded_[c.text].push_back(id);
      needs_fold_ = true;
      break;
    case CondKind::kWildcard: {
      auto w = Wildcard::Parse(c.text, 1 << 30);
      wildcards_.emplace_back(std::move(*w), id);
      break;
    }
    case CondKind::kRegexp: {
      RE2::Options o;
      o.set_log_errors(false);
      regexps_.emplace_back(std::make_unique<RE2>(c.text, o), id);
      break;
    }
    case CondKind::kNumeric:
      ranges_.push_back({c, id});
      break;
    case CondKind::kCidr: {
      IpAddress base;
      int len = 0;
      ParseCidr(c.text, &base, &len);
      CidrTable& t = base.v6 ? v6_ : v4_;
      t.map[CidrKey(base, len)].push_back(id);
      t.lengths.push_back(len);
      break;
    }
    case CondKind::kAnythingBut:
      break;  // handled by the automaton
  }
}

void ValueIndex::Finalize() {
  exact_.Build(strings_);
  exact_folded_.Build(folded_);
  strings_.clear();
  folded_.clear();
  for (Affix* a : {&prefix_, &suffix_, &ci_prefix_, &ci_suffix_}) {
    std::sort(a->lengths.begin(), a->lengths.end());
    a->lengths.erase(std::unique(a->lengths.begin(), a->lengths.end()), a->lengths.end());
  }
  for (CidrTable* t : {&v4_, &v6_}) {
    std::sort(t->lengths.begin(), t->lengths.end());
    t->lengths.erase(std::unique(t->lengths.begin(), t->lengths.end()), t->lengths.end());
  }
  if (ranges_.empty()) return;
  for (const Range& r : ranges_) {
    if (r.cond.has_lo) bounds_.push_back(r.cond.lo);
    if (r.cond.has_hi) bounds_.push_back(r.cond.hi);
  }
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  auto index_of = [&](double b) {
    return static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), b) -
                               bounds_.begin());
  };
  std::vector<std::pair<size_t, size_t>> spans;
  size_t total = 0;
  for (const Range& r : ranges_) {
    size_t first = 0, last = 2 * bounds_.size();
    if (r.cond.has_lo) {
      size_t j = index_of(r.cond.lo);
      first = r.cond.lo_inclusive ? 2 * j + 1 : 2 * j + 2;
    }
    if (r.cond.has_hi) {
      size_t j = index_of(r.cond.hi);
      last = r.cond.hi_inclusive ? 2 * j + 1 : 2 * j;
    }
    spans.emplace_back(first, last);
    if (first <= last) total += last - first + 1;
  }
  if (total > kMaxSegmentEntries) {
    bounds_.clear();  // keep ranges_ and test them one by one
    return;
  }
  segments_.assign(2 * bounds_.size() + 1, {});
  for (size_t i = 0; i < ranges_.size(); ++i) {
    for (size_t s = spans[i].first; s <= spans[i].second && s < segments_.size(); ++s) {
      segments_[s].push_back(ranges_[i].id);
    }
  }
  ranges_.clear();
  ranges_.shrink_to_fit();
}

void ValueIndex::RemapIds(const std::vector<uint32_t>& map) {
  auto remap = [&](IdList& l) {
    for (uint32_t& id : l) id = map[id];
  };
  for (IdList* l : {&any_, &true_, &false_, &null_}) remap(*l);
  for (auto* m : {&strings_, &folded_, &number_texts_, &prefix_.map, &suffix_.map, &ci_prefix_.map,
                  &ci_suffix_.map, &v4_.map, &v6_.map}) {
    for (auto& [k, l] : *m) remap(l);
  }
  for (auto& [k, l] : numbers_) remap(l);
  for (IdList& l : segments_) remap(l);
  for (Range& r : ranges_) r.id = map[r.id];
  for (auto& [w, id] : wildcards_) id = map[id];
  for (auto& [re, id] : regexps_) id = map[id];
}

void ValueIndex::Match(const LeafValue& v, std::vector<uint32_t>& out) const {
  Append(&any_, out);
  switch (v.kind) {
    case LeafValue::Kind::kString:
      MatchString(v, out);
      break;
    case LeafValue::Kind::kNumber:
      MatchNumber(v, out);
      break;
    case LeafValue::Kind::kTrue:
      Append(&true_, out);
      break;
    case LeafValue::Kind::kFalse:
      Append(&false_, out);
      break;
    case LeafValue::Kind::kNull:
      Append(&null_, out);
      break;
  }
}

void ValueIndex::MatchAffix(const Affix& a, std::string_view s, bool suffix,
                            std::vector<uint32_t>& out) {
  for (uint32_t len : a.lengths) {
    if (len > s.size()) break;
    std::string_view part = suffix ? s.substr(s.size() - len) : s.substr(0, len);
    Append(Find(a.map, part), out);
  }
}

void ValueIndex::MatchString(const LeafValue& v, std::vector<uint32_t>& out) const {
  std::string_view s = v.text;
  StringTable::Ids ids = exact_.Find(s);
  out.insert(out.end(), ids.data, ids.data + ids.size);
  if (!prefix_.lengths.empty()) MatchAffix(prefix_, s, false, out);
  if (!suffix_.lengths.empty()) MatchAffix(suffix_, s, true, out);
  if (needs_fold_) {
    std::string_view f = v.Folded();
    StringTable::Ids fids = exact_folded_.Find(f);
    out.insert(out.end(), fids.data, fids.data + fids.size);
    if (!ci_prefix_.lengths.empty()) MatchAffix(ci_prefix_, f, false, out);
    if (!ci_suffix_.lengths.empty()) MatchAffix(ci_suffix_, f, true, out);
  }
  for (const auto& [w, id] : wildcards_) {
    if (w.Matches(s)) out.push_back(id);
  }
  for (const auto& [re, id] : regexps_) {
    if (RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *re)) out.push_back(id);
  }
  if (!v4_.lengths.empty() || !v6_.lengths.empty()) MatchCidr(s, out);
}

void ValueIndex::MatchNumber(const LeafValue& v, std::vector<uint32_t>& out) const {
  if (numbers_.empty() && number_texts_.empty() && bounds_.empty() && ranges_.empty()) return;
  v.ParseNumber();
  if (!v.number_ok) {
    Append(Find(number_texts_, v.text), out);
    return;
  }
  if (!numbers_.empty() || !number_texts_.empty()) {
    if (v.RoundTripsNumber()) {
      if (!numbers_.empty()) {
        auto it = numbers_.find(NumberKey(v.number));
        if (it != numbers_.end()) Append(&it->second, out);
      }
    } else {
      Append(Find(number_texts_, v.text), out);
    }
  }
  if (!bounds_.empty()) {
    size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v.number) -
                                   bounds_.begin());
    size_t seg = (i < bounds_.size() && bounds_[i] == v.number) ? 2 * i + 1 : 2 * i;
    Append(&segments_[seg], out);
  }
  for (const Range& r : ranges_) {
    const Condition& c = r.cond;
    double x = v.number;
    bool lo_ok = !c.has_lo || (c.lo_inclusive ? x >= c.lo : x > c.lo);
    bool hi_ok = !c.has_hi || (c.hi_inclusive ? x <= c.hi : x < c.hi);
    if (lo_ok && hi_ok) out.push_back(r.id);
  }
}

void ValueIndex::MatchCidr(std::string_view text, std::vector<uint32_t>& out) const {
  IpAddress addr;
  if (!ParseIp(text, &addr)) return;
  const CidrTable& t = addr.v6 ? v6_ : v4_;
  for (int len : t.lengths) {
    IpAddress masked = addr;
    MaskAddress(&masked, len);
    Append(Find(t.map, CidrKey(masked, len)), out);
  }
}

size_t ValueIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  auto map_bytes = [](const absl::flat_hash_map<std::string, IdList>& m) {
    size_t b = m.capacity() * (sizeof(std::string) + sizeof(IdList) + 1);
    for (const auto& [k, v] : m) b += (k.capacity() > 15 ? k.capacity() : 0) + v.capacity() * 4;
    return b;
  };
  bytes += exact_.MemoryBytes() + exact_folded_.MemoryBytes() + map_bytes(number_texts_);
  bytes += map_bytes(prefix_.map) + map_bytes(suffix_.map) + map_bytes(ci_prefix_.map) +
           map_bytes(ci_suffix_.map) + map_bytes(v4_.map) + map_bytes(v6_.map);
  bytes += numbers_.capacity() * (8 + sizeof(IdList) + 1);
  for (const auto& [k, v] : numbers_) bytes += v.capacity() * 4;
  for (const auto& s : segments_) bytes += sizeof(IdList) + s.capacity() * 4;
  bytes += bounds_.capacity() * 8 + wildcards_.size() * 64 + regexps_.size() * 1024;
  return bytes;
}

}  // namespace busbar::matcher::internal
