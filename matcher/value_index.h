// Internal to busbar::matcher. ValueIndex: for the leaf values found at one event
// path, finds every condition (exact, prefix, suffix, case-insensitive, numeric,
// CIDR, wildcard, regexp, exists) that the value satisfies, in time that does not
// grow with the number of exact, prefix, suffix, equals-ignore-case, numeric or
// CIDR conditions (hash lookups per distinct prefix length, binary search over
// numeric bounds). Wildcards and regexps are tried one by one.
//
// Built single-threaded (Add..., then Finalize), then immutable and thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"
#include "matcher/pattern_parser.h"
#include "matcher/string_table.h"
#include "matcher/wildcard.h"

namespace re2 {
class RE2;
}

namespace busbar::matcher::internal {

// One leaf value of an event, as the flattener found it.
struct LeafValue {
  enum class Kind : uint8_t { kString, kNumber, kTrue, kFalse, kNull };
  Kind kind = Kind::kNull;
  std::string_view text;  // kString: the unescaped string; kNumber: as written

  // Lazily computed by the index; scratch owned by the caller.
  mutable bool number_parsed = false;
  mutable bool number_ok = false;   // parsed (beyond the range: +-infinity)
  mutable int8_t round_trips = -1;  // text is the double's shortest form (-1: unknown)
  mutable double number = 0;
  mutable bool folded_done = false;
  mutable std::string* fold_buffer = nullptr;  // REQUIRES: set for kString

  void ParseNumber() const;
  bool RoundTripsNumber() const;  // REQUIRES: ParseNumber() found number_ok
  std::string_view Folded() const;
};

class ValueIndex {
 public:
  ValueIndex();
  ~ValueIndex();
  ValueIndex(ValueIndex&&) noexcept;
  ValueIndex& operator=(ValueIndex&&) noexcept;

  // Registers `cond` (any kind but kAnythingBut) under `id`.
  void Add(const Condition& cond, uint32_t id);
  // Builds the lookup tables. REQUIRES: once, after the last Add and RemapIds.
  void Finalize();

  bool empty() const { return empty_; }

  // Starts loading what Match will read first for this string value.
  void Prefetch(std::string_view s) const { exact_.Prefetch(s); }
  bool has_exact_strings() const { return !exact_.empty(); }

  // Replaces every registered id by map[id]. REQUIRES: before Finalize.
  void RemapIds(const std::vector<uint32_t>& map);

  // Appends to `out` the id of every condition `v` satisfies (ids may repeat).
  void Match(const LeafValue& v, std::vector<uint32_t>& out) const;

  size_t MemoryBytes() const;

 private:
  struct Affix {
    std::vector<uint32_t> lengths;  // distinct lengths, ascending
    absl::flat_hash_map<std::string, IdList> map;
  };
  struct Range {
    Condition cond;
    uint32_t id;
  };
  struct CidrTable {
    std::vector<int> lengths;
    absl::flat_hash_map<std::string, IdList> map;  // masked address bytes + length
  };

  static void Append(const IdList* list, std::vector<uint32_t>& out) {
    if (list) out.insert(out.end(), list->begin(), list->end());
  }
  void MatchString(const LeafValue& v, std::vector<uint32_t>& out) const;
  void MatchNumber(const LeafValue& v, std::vector<uint32_t>& out) const;
  void MatchCidr(std::string_view text, std::vector<uint32_t>& out) const;
  static void MatchAffix(const Affix& a, std::string_view s, bool suffix,
                         std::vector<uint32_t>& out);

  bool empty_ = true;
  bool needs_fold_ = false;
  IdList any_, true_, false_, null_;
  absl::flat_hash_map<std::string, IdList> strings_, folded_, number_texts_;
  absl::flat_hash_map<uint64_t, IdList> numbers_;
  StringTable exact_, exact_folded_;  // built from strings_ and folded_
  Affix prefix_, suffix_, ci_prefix_, ci_suffix_;
  std::vector<Range> ranges_;     // until Finalize
  std::vector<double> bounds_;    // ascending, distinct
  std::vector<IdList> segments_;  // 2 * bounds_.size() + 1
  CidrTable v4_, v6_;
  std::vector<std::pair<Wildcard, uint32_t>> wildcards_;
  std::vector<std::pair<std::unique_ptr<re2::RE2>, uint32_t>> regexps_;
};

}  // namespace busbar::matcher::internal
