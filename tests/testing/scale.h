// How much load the load-style tests generate: BUSBAR_TEST_SCALE (a number in (0, 1], default 1)
// multiplies their event and job counts. CI's sanitizer stage sets 0.1: the same checks on a
// tenth of the volume, since ASan and UBSan make every event several times slower.
//
// Thread-safe (reads the environment once).
#pragma once

#include <algorithm>
#include <cstdlib>

// BUSBAR_UNDER_ASAN: defined when AddressSanitizer instruments this build, under GCC
// (__SANITIZE_ADDRESS__) or clang (__has_feature(address_sanitizer)).
#if defined(__SANITIZE_ADDRESS__)
#define BUSBAR_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUSBAR_UNDER_ASAN 1
#endif
#endif

namespace busbar::testing {

inline double TestScale() {
  static const double scale = [] {
    const char* text = std::getenv("BUSBAR_TEST_SCALE");
    if (text == nullptr) return 1.0;
    const double v = std::strtod(text, nullptr);
    return v > 0 && v <= 1 ? v : 1.0;
  }();
  return scale;
}

// `n` scaled, but never below `floor` (the least the test's checks need).
inline int Scaled(int n, int floor = 1) {
  return std::max(floor, static_cast<int>(n * TestScale()));
}

}  // namespace busbar::testing
