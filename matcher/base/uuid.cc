// Random UUIDs; see base.h. Two draws of a per-thread 64-bit generator give the 128 bits; the
// version and variant bits are then set and the bytes written as hex in one pass.
#include <cstdint>
#include <random>
#include <string>

#include "matcher/base/base.h"

namespace busbar::base {
namespace {

std::mt19937_64& ThreadRng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

}  // namespace

std::string NewUuidV4() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::mt19937_64& rng = ThreadRng();
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4 (time_hi_and_version)
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant (clock_seq)
  std::string out(36, '-');
  // Hex digits from the most significant nibble down, skipping the dashes at 8, 13, 18, 23.
  size_t at = 0;
  for (int nibble = 15; nibble >= 0; --nibble) {
    if (at == 8 || at == 13) ++at;
    out[at++] = kHex[(hi >> (4 * nibble)) & 0xf];
  }
  for (int nibble = 15; nibble >= 0; --nibble) {
    if (at == 18 || at == 23) ++at;
    out[at++] = kHex[(lo >> (4 * nibble)) & 0xf];
  }
  return out;
}

}  // namespace busbar::base
