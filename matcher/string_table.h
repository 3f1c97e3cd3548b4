// Internal to busbar::matcher. StringTable: an immutable open-addressing hash
// table from strings to id lists, built for the exact-value lookups on the hot
// path. A slot holds the key's length and first 8 bytes, and the id itself when
// the list has one id, so a lookup of a short key touches one cache line; Prefetch
// lets the caller start that load early. Built once, then thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/inlined_vector.h"

namespace busbar::matcher::internal {

using IdList = absl::InlinedVector<uint32_t, 2>;

class StringTable {
 public:
  // Ids found for a key; empty when absent.
  struct Ids {
    const uint32_t* data = nullptr;
    size_t size = 0;
  };

  void Build(const absl::flat_hash_map<std::string, IdList>& map);
  bool empty() const { return slots_.empty(); }

  Ids Find(std::string_view key) const {
    if (slots_.empty()) return {};
    const uint64_t head = Head(key);
    for (size_t i = Hash(key, head) & mask_;; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.len == kEmpty) return {};
      if ((s.len & ~kInline) == key.size() && s.head == head) {
        if (s.len & kInline) return {&s.value, 1};
        if (key.size() <= 8 || keys_[s.value] == key) {
          return {lists_[s.value].data(), lists_[s.value].size()};
        }
      }
    }
  }

  void Prefetch(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[Hash(key, Head(key)) & mask_]);
  }

  size_t MemoryBytes() const;

 private:
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr uint32_t kInline = 0x80000000u;  // value is the only id

  struct Slot {
    uint64_t head;   // first 8 bytes of the key, zero padded
    uint32_t len;    // key length | kInline, or kEmpty
    uint32_t value;  // the id (kInline) or an index into lists_ and keys_
  };

  static uint64_t Head(std::string_view key) {
    uint64_t h = 0;
    std::memcpy(&h, key.data(), key.size() < 8 ? key.size() : 8);
    return h;
  }
  static size_t Hash(std::string_view key, uint64_t head) {
    uint64_t h = head ^ (key.size() * 0x9E3779B97F4A7C15ULL);
    for (size_t i = 8; i < key.size(); i += 8) {
      uint64_t chunk = 0;
      std::memcpy(&chunk, key.data() + i, key.size() - i < 8 ? key.size() - i : 8);
      h = (h ^ chunk) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 29;
    }
    h *= 0xC4CEB9FE1A85EC53ULL;
    return static_cast<size_t>(h ^ (h >> 32));
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<IdList> lists_;
  std::vector<std::string> keys_;
};

}  // namespace busbar::matcher::internal
