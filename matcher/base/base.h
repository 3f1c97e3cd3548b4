// busbar::base — the small text utilities every module shares, each written once: JSON string
// literals, RFC 3339 timestamps and random (version 4) UUIDs.
//
//   std::string out = "{\"id\":\"" + base::NewUuidV4() + "\",\"source\":";
//   base::AppendJsonString(source, &out);                                 // "a\"b\n" quoted
//   out += ",\"time\":\"" + base::FormatRfc3339(ms, base::Rfc3339Precision::kSeconds) + "\"}";
//
// Threads: every function is thread-safe. NewUuidV4 draws from a generator of its own thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace busbar::base {

// ---- JSON strings (json_string.cc) ----

// Appends `s` to `*out` as a JSON string literal, quotes included (RFC 8259 section 7): `"` and
// `\` are escaped, and every control character U+0000-U+001F: \b \f \n \r \t by name, the others
// as \u00XX (lower-case hex). Every other byte, DEL and UTF-8 (valid or not) included, is copied
// as it is. Runs of bytes that need no escape are copied with one append: the PutEvents path
// writes every envelope's strings with it.
void AppendJsonString(std::string_view s, std::string* out);

// The same escaping without the surrounding quotes, for text placed between quotes the caller
// has written (an input template's "<var>").
void AppendJsonEscaped(std::string_view s, std::string* out);

// `s` quoted for an error message: 'text' with \n and the other control characters and DEL
// as \xNN, cut after 100 bytes ("..."). For names and values a user wrote, never for secrets.
std::string QuoteForMessage(std::string_view s);

// ---- RFC 3339 timestamps (time_format.cc) ----

enum class Rfc3339Precision {
  kSeconds,  // 2024-05-01T12:00:00Z
  kMillis,   // 2024-05-01T12:00:00.123Z
};

// `unix_millis` (milliseconds since 1970-01-01T00:00:00Z) as an RFC 3339 timestamp in UTC
// ("Z"), to the second or the millisecond; the part below the precision is dropped (rounded
// toward the past, as absl::FormatTime does). Years 0-9999 have four digits; a year outside
// them (not RFC 3339) is written as its plain number, e.g. "10000-01-01T00:00:00Z".
std::string FormatRfc3339(int64_t unix_millis, Rfc3339Precision precision);

// ---- UUIDs (uuid.cc) ----

// A random version 4 UUID (RFC 4122 variant) in its canonical 36-character lower-case form,
// e.g. "7bf73129-1428-4cd3-a780-95db273d1602". 122 random bits from a 64-bit Mersenne Twister
// of the calling thread, seeded from std::random_device: unique, not secret.
std::string NewUuidV4();

}  // namespace busbar::base
