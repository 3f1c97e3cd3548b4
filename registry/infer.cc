// Inference and shape hashing; see schema.h.
//
// Both parse with simdjson's DOM (validating the whole text, bounded to kMaxDepth) into a
// parser kept per thread, then walk the tree recursively. Infer builds a Node; ShapeHash folds
// the same walk into a 64-bit hash without building one, by the same formula HashNode applies
// to a Node, so that ShapeHash(json) == HashNode(*Infer(json)) always:
//
//   hash(node)   = mix(kinds, date_time) then, for objects, combined with the sum over its
//                  properties of mix(name, required, hash(schema)) (a sum, so property order
//                  does not matter), and for arrays, with hash(items[0]) or a fixed "no items"
//                  value.
//
// An array's items are the merge of every item, and merging equal shapes changes nothing, so
// an array whose items all hash alike (the usual case) hashes as its first item does. Two
// cases are not folded: arrays whose items differ (merging decides which properties stay
// required) and objects with a repeated key (Infer merges the repeats). There ShapeHash infers
// that subtree and hashes the Node: correct, but slower.
//
// simdjson's DOM rejects numbers it cannot represent (integers beyond 64 bits, 1e400). JSON
// allows them, and they are numbers (not integers): on that error the text is parsed again
// with every number token replaced by "0" or "0.0" as its kind requires.
#include <simdjson.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "registry/schema.h"
#include "registry/schema_internal.h"

namespace busbar::registry {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// --- Parsing ---------------------------------------------------------------------------------

// Inputs larger than this get a parser of their own, so a thread does not keep a huge one.
constexpr size_t kLargeInput = size_t{4} << 20;

struct Scratch {
  simdjson::dom::parser parser;
  std::string padded;     // the input plus simdjson's padding
  std::string rewritten;  // the input with its numbers replaced, when needed
  bool allocated = false;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Whether the integer token `digits` (optional '-', then digits without leading zeros) fits in
// int64 (negative) or uint64.
bool FitsIn64Bits(std::string_view token) {
  const bool negative = !token.empty() && token[0] == '-';
  std::string_view digits = negative ? token.substr(1) : token;
  const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
  if (digits.size() != limit.size()) return digits.size() < limit.size();
  return digits <= limit;
}

// Copies `json` into `out` with every well-formed number token outside strings replaced by
// "0" (an integer that fits in 64 bits) or "0.0" (any other number). Malformed tokens are kept
// for the parser to reject.
void ReplaceNumbers(std::string_view json, std::string& out) {
  out.clear();
  out.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  size_t i = 0;
  while (i < json.size()) {
    const char c = json[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      j = std::min(j + 1, json.size());
      out.append(json.substr(i, j - i));
      i = j;
      continue;
    }
    if (c != '-' && !IsDigit(c)) {
      out += c;
      ++i;
      continue;
    }
    // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    size_t j = i;
    bool ok = true, integer = true;
    if (json[j] == '-') ++j;
    if (j < json.size() && json[j] == '0') {
      ++j;
    } else if (j < json.size() && IsDigit(json[j])) {
      while (j < json.size() && IsDigit(json[j])) ++j;
    } else {
      ok = false;
    }
    if (ok && j < json.size() && json[j] == '.') {
      integer = false;
      ++j;
      if (j >= json.size() || !IsDigit(json[j])) ok = false;
      while (j < json.size() && IsDigit(json[j])) ++j;
    }
    if (ok && j < json.size() && (json[j] == 'e' || json[j] == 'E')) {
      integer = false;
      ++j;
      if (j < json.size() && (json[j] == '+' || json[j] == '-')) ++j;
      if (j >= json.size() || !IsDigit(json[j])) ok = false;
      while (j < json.size() && IsDigit(json[j])) ++j;
    }
    if (!ok || j == i) {
      out += c;
      ++i;
      continue;
    }
    out += integer && FitsIn64Bits(json.substr(i, j - i)) ? "0" : "0.0";
    i = j;
  }
}

// Parses `json` (copied into `scratch`); the element lives until the scratch parses again.
absl::StatusOr<element> Parse(std::string_view json, Scratch& scratch) {
  if (!scratch.allocated) {
    if (scratch.parser.allocate(std::max<size_t>(json.size(), 4096), kMaxDepth) !=
        simdjson::SUCCESS) {
      return absl::ResourceExhaustedError("cannot allocate the JSON parser");
    }
    scratch.allocated = true;
  }
  for (int attempt = 0;; ++attempt) {
    scratch.padded.assign(json);
    scratch.padded.resize(json.size() + simdjson::SIMDJSON_PADDING, '\0');
    element root;
    const simdjson::error_code error =
        scratch.parser.parse(scratch.padded.data(), json.size(), false).get(root);
    if (error == simdjson::SUCCESS) return root;
    if (error == simdjson::DEPTH_ERROR) {
      return absl::InvalidArgumentError(absl::StrCat("event nests deeper than ", kMaxDepth));
    }
    if (error == simdjson::NUMBER_ERROR && attempt == 0) {
      ReplaceNumbers(json, scratch.rewritten);
      if (scratch.rewritten != json) {
        json = scratch.rewritten;
        continue;
      }
    }
    return absl::InvalidArgumentError(
        absl::StrCat("event is not valid JSON: ", simdjson::error_message(error)));
  }
}

// Runs `fn(root)` on the parsed `json`.
template <typename Fn>
auto WithParsed(std::string_view json, Fn fn) -> decltype(fn(element())) {
  if (json.size() > kLargeInput) {
    Scratch scratch;
    absl::StatusOr<element> root = Parse(json, scratch);
    if (!root.ok()) return root.status();
    return fn(*root);
  }
  thread_local Scratch scratch;
  absl::StatusOr<element> root = Parse(json, scratch);
  if (!root.ok()) return root.status();
  return fn(*root);
}

// The value of `e`, whose type the caller has checked.
template <typename T>
T As(element e) {
  T value{};
  [[maybe_unused]] const simdjson::error_code error = e.get(value);
  assert(error == simdjson::SUCCESS);
  return value;
}

// --- Inference -------------------------------------------------------------------------------

void InferElement(element e, Node& node) {
  switch (e.type()) {
    case element_type::ARRAY: {
      node.kinds = kArray;
      for (element item : As<simdjson::dom::array>(e)) {
        if (node.items.empty()) {
          InferElement(item, node.items.emplace_back());
        } else {
          Node next;
          InferElement(item, next);
          Merge(node.items[0], next);
        }
      }
      return;
    }
    case element_type::OBJECT: {
      node.kinds = kObject;
      for (auto field : As<simdjson::dom::object>(e)) {
        Property& p = node.properties.emplace_back();
        p.name = field.key;
        p.required = true;
        InferElement(field.value, p.schema);
      }
      std::stable_sort(node.properties.begin(), node.properties.end(),
                       [](const Property& a, const Property& b) { return a.name < b.name; });
      // A repeated key: one property, the merge of the values.
      size_t out = 0;
      for (size_t i = 0; i < node.properties.size(); ++i) {
        if (out > 0 && node.properties[out - 1].name == node.properties[i].name) {
          Merge(node.properties[out - 1].schema, node.properties[i].schema);
        } else {
          if (out != i) node.properties[out] = std::move(node.properties[i]);
          ++out;
        }
      }
      node.properties.resize(out);
      return;
    }
    case element_type::INT64:
    case element_type::UINT64:
      node.kinds = kInteger;
      return;
    case element_type::DOUBLE:
      node.kinds = kNumber;
      return;
    case element_type::STRING:
      node.kinds = kString;
      node.date_time = IsRfc3339DateTime(As<std::string_view>(e));
      return;
    case element_type::BOOL:
      node.kinds = kBoolean;
      return;
    case element_type::NULL_VALUE:
      node.kinds = kNull;
      return;
  }
}

// --- Hashing ---------------------------------------------------------------------------------

inline uint64_t Mix(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t Combine(uint64_t a, uint64_t b) { return Mix(a * 0x9e3779b97f4a7c15ULL + b); }

uint64_t HashString(std::string_view s) {
  uint64_t h = Mix(s.size() ^ 0x51ed27a1b5c3e9f7ULL);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, s.data() + i, 8);
    h = Combine(h, chunk);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  return Combine(h, tail);
}

constexpr uint64_t kNoItems = 0x6a09e667f3bcc908ULL;

inline uint64_t KindsHash(uint8_t kinds, bool date_time) {
  return Mix((uint64_t{kinds} << 1 | uint64_t{date_time}) + 0x243f6a8885a308d3ULL);
}
inline uint64_t PropertyHash(uint64_t name_hash, bool required, uint64_t schema_hash) {
  return Combine(Combine(name_hash, required ? 1 : 2), schema_hash);
}
inline uint64_t ObjectHash(uint64_t kinds_hash, uint64_t property_sum, size_t count) {
  return Combine(Combine(kinds_hash, property_sum), count);
}
inline uint64_t ArrayHash(uint64_t kinds_hash, uint64_t items_hash) {
  return Combine(kinds_hash ^ 0x13198a2e03707344ULL, items_hash);
}

// The key hashes of the objects being walked, one segment per object: finds repeated keys
// without allocating per object.
thread_local std::vector<uint64_t> key_stack;

uint64_t HashElement(element e) {
  switch (e.type()) {
    case element_type::ARRAY: {
      bool first = true, uniform = true;
      uint64_t items = kNoItems;
      for (element item : As<simdjson::dom::array>(e)) {
        const uint64_t h = HashElement(item);
        if (first) {
          items = h;
          first = false;
        } else if (h != items) {
          uniform = false;
          break;
        }
      }
      if (uniform) return ArrayHash(KindsHash(kArray, false), items);
      Node node;
      InferElement(e, node);
      return internal::HashNode(node);
    }
    case element_type::OBJECT: {
      const size_t start = key_stack.size();
      uint64_t sum = 0;
      size_t count = 0;
      for (auto field : As<simdjson::dom::object>(e)) {
        const uint64_t name = HashString(field.key);
        sum += Mix(PropertyHash(name, true, HashElement(field.value)));
        key_stack.push_back(name);
        ++count;
      }
      std::sort(key_stack.begin() + start, key_stack.end());
      const bool repeated =
          std::adjacent_find(key_stack.begin() + start, key_stack.end()) != key_stack.end();
      key_stack.resize(start);
      if (!repeated) return ObjectHash(KindsHash(kObject, false), sum, count);
      Node node;
      InferElement(e, node);
      return internal::HashNode(node);
    }
    case element_type::INT64:
    case element_type::UINT64:
      return KindsHash(kInteger, false);
    case element_type::DOUBLE:
      return KindsHash(kNumber, false);
    case element_type::STRING:
      return KindsHash(kString, IsRfc3339DateTime(As<std::string_view>(e)));
    case element_type::BOOL:
      return KindsHash(kBoolean, false);
    case element_type::NULL_VALUE:
      return KindsHash(kNull, false);
  }
  return 0;
}

// --- Date-times ------------------------------------------------------------------------------

// Reads exactly `n` digits at `s[i]`.
bool Digits(std::string_view s, size_t i, size_t n, int& value) {
  if (i + n > s.size()) return false;
  value = 0;
  for (size_t k = i; k < i + n; ++k) {
    if (!IsDigit(s[k])) return false;
    value = value * 10 + (s[k] - '0');
  }
  return true;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

// --- Public functions ------------------------------------------------------------------------

absl::StatusOr<Node> Infer(std::string_view json) {
  return WithParsed(json, [](element root) -> absl::StatusOr<Node> {
    Node node;
    InferElement(root, node);
    return node;
  });
}

absl::StatusOr<uint64_t> ShapeHash(std::string_view json) {
  return WithParsed(json, [](element root) -> absl::StatusOr<uint64_t> {
    key_stack.clear();
    return HashElement(root);
  });
}

absl::StatusOr<uint64_t> ShapeHash(std::string_view json, EventIdentity& identity) {
  return WithParsed(json, [&identity](element root) -> absl::StatusOr<uint64_t> {
    std::string_view source, detail_type;
    if (root["source"].get(source) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("event has no string \"source\"");
    }
    if (root["detail-type"].get(detail_type) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError("event has no string \"detail-type\"");
    }
    identity.source = std::string(source);
    identity.detail_type = std::string(detail_type);
    key_stack.clear();
    return HashElement(root);
  });
}

namespace internal {

uint64_t HashText(std::string_view text) { return HashString(text); }
uint64_t CombineHashes(uint64_t a, uint64_t b) { return Combine(a, b); }

uint64_t HashNode(const Node& node) {
  const uint64_t kinds = KindsHash(node.kinds, (node.kinds & kString) != 0 && node.date_time);
  uint64_t h = kinds;
  if (node.kinds & kObject) {
    uint64_t sum = 0;
    for (const Property& p : node.properties) {
      sum += Mix(PropertyHash(HashString(p.name), p.required, HashNode(p.schema)));
    }
    h = ObjectHash(h, sum, node.properties.size());
  }
  if (node.kinds & kArray) {
    h = ArrayHash(h, node.items.empty() ? kNoItems : HashNode(node.items[0]));
  }
  return h;
}

}  // namespace internal

bool IsRfc3339DateTime(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' ||
      !Digits(s, 17, 2, second)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    const size_t digits = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == digits) return false;
  }
  if (i == s.size()) return false;
  if (s[i] == 'Z' || s[i] == 'z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  int offset_hour, offset_minute;
  return i + 6 == s.size() && Digits(s, i + 1, 2, offset_hour) && s[i + 3] == ':' &&
         Digits(s, i + 4, 2, offset_minute) && offset_hour <= 23 && offset_minute <= 59;
}

std::string KindName(const Node& node) {
  // Alphabetical, so that the names read the same whatever produced the node.
  static constexpr std::pair<Kind, const char*> kNames[] = {
      {kArray, "array"},   {kBoolean, "boolean"}, {kInteger, "integer"}, {kNull, "null"},
      {kNumber, "number"}, {kObject, "object"},   {kString, "string"},
  };
  std::string out;
  for (const auto& [kind, name] : kNames) {
    if ((node.kinds & kind) == 0) continue;
    if (!out.empty()) out += '|';
    out += name;
    if (kind == kString && node.date_time) out += "(date-time)";
  }
  return out;
}

bool operator==(const Property& a, const Property& b) {
  return a.name == b.name && a.required == b.required && a.schema == b.schema;
}

bool operator==(const Node& a, const Node& b) {
  if (a.kinds != b.kinds) return false;
  if ((a.kinds & kString) && a.date_time != b.date_time) return false;
  if ((a.kinds & kObject) && a.properties != b.properties) return false;
  if ((a.kinds & kArray) && a.items != b.items) return false;
  return true;
}

}  // namespace busbar::registry
