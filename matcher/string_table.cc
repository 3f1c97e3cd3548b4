// StringTable construction; see string_table.h.
#include "matcher/string_table.h"

namespace busbar::matcher::internal {

void StringTable::Build(const absl::flat_hash_map<std::string, IdList>& map) {
  slots_.clear();
  lists_.clear();
  keys_.clear();
  if (map.empty()) return;
  size_t cap = 16;
  while (cap < map.size() * 2) cap *= 2;  // load factor <= 1/2
  slots_.assign(cap, Slot{0, kEmpty, 0});
  mask_ = cap - 1;
  for (const auto& [key, ids] : map) {
    Slot s{Head(key), static_cast<uint32_t>(key.size()), 0};
    if (ids.size() == 1 && key.size() <= 8) {
      s.len |= kInline;
      s.value = ids[0];
    } else {
      s.value = static_cast<uint32_t>(lists_.size());
      lists_.push_back(ids);
      keys_.push_back(key);
    }
    size_t i = Hash(key, s.head) & mask_;
    while (slots_[i].len != kEmpty) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

size_t StringTable::MemoryBytes() const {
  size_t b = slots_.capacity() * sizeof(Slot) + lists_.capacity() * sizeof(IdList);
  for (const auto& k : keys_) b += sizeof(std::string) + k.capacity();
  return b;
}

}  // namespace busbar::matcher::internal
