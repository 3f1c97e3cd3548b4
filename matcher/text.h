// Internal to busbar::matcher. Text helpers shared by the pattern parser, the
// compiler and the flattener: JSON string unescaping, number canonicalisation,
// Unicode simple case folding and IP address parsing. All functions are pure and
// thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace busbar::matcher::internal {

// Unescapes the body of a JSON string (the bytes between the quotes), appending to
// `out`. Returns false and sets `*error` for a bad escape or a lone surrogate.
bool UnescapeJsonString(std::string_view body, std::string* out, const char** error);

// Returns true if `raw` is a JSON number (RFC 8259 grammar).
bool IsJsonNumber(std::string_view raw);

// Parses a JSON number's text as a double; a number beyond the double range
// becomes +-infinity (or 0 when too small). Returns false for malformed text.
bool ParseDouble(std::string_view raw, double* value);

// True if the decimal value written in `raw` is exactly the shortest round-trip
// representation of `value` (so comparing doubles is the same as comparing the
// written numbers). "300", "300.0" and "3.0e2" round-trip; a 20-digit id doesn't.
bool RoundTrips(std::string_view raw, double value);

// Key for numeric equality: the bits of the double, with -0 folded into +0.
uint64_t NumberKey(double value);

// Appends the simple case folding of UTF-8 `in` to `out` (ASCII, Latin-1
// Supplement, Latin Extended-A, Greek and Cyrillic). Invalid UTF-8 bytes are
// copied unchanged.
void FoldCase(std::string_view in, std::string* out);

// An IPv4 or IPv6 address, IPv4 stored in the first 4 bytes.
struct IpAddress {
  bool v6 = false;
  uint8_t bytes[16] = {};
};

// Parses a textual IPv4 or IPv6 address (no brackets, no zone, no prefix).
bool ParseIp(std::string_view text, IpAddress* out);

// Parses "addr/len". Host bits below the prefix are cleared.
bool ParseCidr(std::string_view text, IpAddress* base, int* prefix_len);

// Clears all bits of `addr` after the first `prefix_len` bits.
void MaskAddress(IpAddress* addr, int prefix_len);

}  // namespace busbar::matcher::internal
