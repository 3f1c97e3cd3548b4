// Test-only: the reference matcher. See reference_matcher.h for the algorithm.
//
// Everything here is written for obviousness, not speed: each operator is a
// direct transcription of its line in shared/PATTERNS.md.
#include "tests/matcher/reference_matcher.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>

#include "re2/re2.h"
#include "simdjson.h"

namespace busbar::testing {

RefValue::RefValue() = default;
RefValue::RefValue(const RefValue&) = default;
RefValue::RefValue(RefValue&&) noexcept = default;
RefValue& RefValue::operator=(const RefValue&) = default;
RefValue& RefValue::operator=(RefValue&&) noexcept = default;
RefValue::~RefValue() = default;

namespace {

using Kind = RefValue::Kind;

// ---------------------------------------------------------------------------
// JSON parsing. simdjson's DOM rejects integers beyond 64 bits, and it forgets
// a number's text, both of which the number semantics need. So every number
// token is first cut out of the text (and replaced by 0); the DOM then parses the
// rest, and the i-th number met in document order gets the i-th token back.

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size() || !IsDigit(s[i])) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i == s.size();
}

absl::Status CutOutNumbers(std::string_view json, std::string& rest,
                           std::vector<std::string>& numbers) {
  size_t i = 0;
  while (i < json.size()) {
    char c = json[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      if (j >= json.size()) return absl::InvalidArgumentError("unterminated string");
      rest.append(json.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '-' || IsDigit(c)) {
      size_t j = i;
      while (j < json.size() && (IsDigit(json[j]) || std::strchr("+-.eE", json[j]) != nullptr)) {
        ++j;
      }
      std::string_view token = json.substr(i, j - i);
      if (!IsJsonNumber(token)) {
        return absl::InvalidArgumentError("bad number: " + std::string(token));
      }
      numbers.emplace_back(token);
      rest += '0';
      i = j;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      size_t j = i;
      while (j < json.size() &&
             ((json[j] >= 'a' && json[j] <= 'z') || (json[j] >= 'A' && json[j] <= 'Z'))) {
        ++j;
      }
      rest.append(json.substr(i, j - i));
      i = j;
    } else {
      rest += c;
      ++i;
    }
  }
  return absl::OkStatus();
}

double ParseDouble(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

RefValue Convert(simdjson::dom::element element, const std::vector<std::string>& numbers,
                 size_t& next_number) {
  RefValue v;
  switch (element.type()) {
    case simdjson::dom::element_type::OBJECT:
      v.kind = Kind::kObject;
      for (auto field : simdjson::dom::object(element)) {
        v.members.emplace_back(std::string(field.key), Convert(field.value, numbers, next_number));
      }
      break;
    case simdjson::dom::element_type::ARRAY:
      v.kind = Kind::kArray;
      for (auto item : simdjson::dom::array(element)) {
        v.items.push_back(Convert(item, numbers, next_number));
      }
      break;
    case simdjson::dom::element_type::STRING:
      v.kind = Kind::kString;
      v.text = std::string(std::string_view(element));
      break;
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      v.kind = Kind::kNumber;
      v.text = numbers.at(next_number++);
      v.number = ParseDouble(v.text);
      break;
    case simdjson::dom::element_type::BOOL:
      v.kind = Kind::kBool;
      v.boolean = bool(element);
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      v.kind = Kind::kNull;
      break;
  }
  return v;
}

// ---------------------------------------------------------------------------
// Numbers.

// "300", "300.0", "3.0e2" and "3e+02" all give "+3e3": sign, significant digits
// without leading or trailing zeros, and the decimal exponent of the point.
std::string CanonicalDecimal(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  long point = 0;
  bool after_point = false;
  for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
    if (text[i] == '.') {
      after_point = true;
      continue;
    }
    digits += text[i];
    if (!after_point) ++point;
  }
  long exponent = 0;
  if (i < text.size()) {
    ++i;
    bool negative_exponent = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative_exponent = text[i++] == '-';
    for (; i < text.size(); ++i) exponent = exponent * 10 + (text[i] - '0');
    if (negative_exponent) exponent = -exponent;
  }
  size_t lead = digits.find_first_not_of('0');
  if (lead == std::string::npos) return "0";
  digits.erase(0, lead);
  point -= static_cast<long>(lead);
  digits.erase(digits.find_last_not_of('0') + 1);
  return std::string(negative ? "-" : "+") + digits + "e" + std::to_string(point + exponent);
}

// ---------------------------------------------------------------------------
// Case folding (Unicode simple case folding, C + S mappings, for the blocks the
// project promises).

char32_t FoldCodePoint(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0x80) return c;
  // Latin-1 Supplement.
  if (c == 0xB5) return 0x3BC;
  if ((c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xDE)) return c + 32;
  // Latin Extended-A.
  if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) {
    return c % 2 == 0 ? c + 1 : c;
  }
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return c % 2 == 1 ? c + 1 : c;
  if (c == 0x178) return 0xFF;
  if (c == 0x17F) return 's';
  // Greek and Coptic.
  if (c == 0x345) return 0x3B9;
  if (c == 0x370 || c == 0x372 || c == 0x376) return c + 1;
  if (c == 0x37F) return 0x3F3;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c >= 0x38E && c <= 0x38F) return c + 63;
  if ((c >= 0x391 && c <= 0x3A1) || (c >= 0x3A3 && c <= 0x3AB)) return c + 32;
  if (c == 0x3C2) return 0x3C3;
  if (c == 0x3CF) return 0x3D7;
  if (c == 0x3D0) return 0x3B2;
  if (c == 0x3D1) return 0x3B8;
  if (c == 0x3D5) return 0x3C6;
  if (c == 0x3D6) return 0x3C0;
  if (c >= 0x3D8 && c <= 0x3EF) return c % 2 == 0 ? c + 1 : c;
  if (c == 0x3F0) return 0x3BA;
  if (c == 0x3F1) return 0x3C1;
  if (c == 0x3F4) return 0x3B8;
  if (c == 0x3F5) return 0x3B5;
  if (c == 0x3F7) return 0x3F8;
  if (c == 0x3F9) return 0x3F2;
  if (c == 0x3FA) return 0x3FB;
  if (c >= 0x3FD && c <= 0x3FF) return c - 130;
  // Cyrillic and Cyrillic Supplement.
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F)) {
    return c % 2 == 0 ? c + 1 : c;
  }
  if (c == 0x4C0) return 0x4CF;
  if (c >= 0x4C1 && c <= 0x4CE) return c % 2 == 1 ? c + 1 : c;
  // Letters elsewhere that fold into the blocks above.
  if (c == 0x1E9E) return 0xDF;
  if (c == 0x2126) return 0x3C9;
  if (c == 0x212A) return 'k';
  if (c == 0x212B) return 0xE5;
  return c;
}

// Decodes the code point at s[i]; sets `length`. Returns -1 for an invalid sequence.
long DecodeUtf8(std::string_view s, size_t i, size_t& length) {
  unsigned char b = s[i];
  int n;
  char32_t c;
  if (b < 0x80) {
    length = 1;
    return b;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2;
    c = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    c = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    c = b & 0x07;
  } else {
    return -1;
  }
  if (i + n > s.size()) return -1;
  for (int k = 1; k < n; ++k) {
    unsigned char cont = s[i + k];
    if ((cont & 0xC0) != 0x80) return -1;
    c = (c << 6) | (cont & 0x3F);
  }
  length = n;
  return c;
}

// ---------------------------------------------------------------------------
// Operators. Each takes the operand from the pattern and one event leaf.

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

bool ExactEquals(const RefValue& want, const RefValue& leaf) {
  if (want.kind != leaf.kind) return false;
  switch (want.kind) {
    case Kind::kString:
      return want.text == leaf.text;
    case Kind::kNumber:
      return NumberTextsEqual(want.text, leaf.text);
    case Kind::kBool:
      return want.boolean == leaf.boolean;
    case Kind::kNull:
      return true;
    default:
      return false;
  }
}

// `{"prefix": "x"}` or `{"prefix": {"equals-ignore-case": "x"}}` (likewise suffix).
bool AffixMatches(const RefValue& operand, const RefValue& leaf, bool prefix) {
  if (leaf.kind != Kind::kString) return false;
  if (operand.kind == Kind::kString) {
    return prefix ? StartsWith(leaf.text, operand.text) : EndsWith(leaf.text, operand.text);
  }
  const std::string want = FoldCase(operand.members.at(0).second.text);
  const std::string have = FoldCase(leaf.text);
  return prefix ? StartsWith(have, want) : EndsWith(have, want);
}

bool NumericMatches(const RefValue& operand, const RefValue& leaf) {
  if (leaf.kind != Kind::kNumber) return false;
  const double x = leaf.number;
  for (size_t i = 0; i + 1 < operand.items.size(); i += 2) {
    const std::string& op = operand.items[i].text;
    const double y = operand.items[i + 1].number;
    bool ok = op == "="    ? x == y
              : op == "<"  ? x < y
              : op == "<=" ? x <= y
              : op == ">"  ? x > y
                           : x >= y;
    if (!ok) return false;
  }
  return true;
}

// The strings an operand holds: a string, or a list of strings.
std::vector<const RefValue*> OperandList(const RefValue& operand) {
  std::vector<const RefValue*> out;
  if (operand.kind == Kind::kArray) {
    for (const RefValue& item : operand.items) out.push_back(&item);
  } else {
    out.push_back(&operand);
  }
  return out;
}

// Is `leaf` one of the values an anything-but operand excludes?
bool ExcludedByAnythingBut(const RefValue& operand, const RefValue& leaf) {
  if (operand.kind != Kind::kObject) {
    for (const RefValue* value : OperandList(operand)) {
      if (ExactEquals(*value, leaf)) return true;
    }
    return false;
  }
  if (leaf.kind != Kind::kString) return false;
  const auto& [op, inner] = operand.members.at(0);
  for (const RefValue* value : OperandList(inner)) {
    const std::string& s = value->text;
    if ((op == "prefix" && StartsWith(leaf.text, s)) ||
        (op == "suffix" && EndsWith(leaf.text, s)) ||
        (op == "equals-ignore-case" && FoldCase(leaf.text) == FoldCase(s)) ||
        (op == "wildcard" && WildcardMatches(s, leaf.text))) {
      return true;
    }
  }
  return false;
}

bool IsExistsFalse(const RefValue& alternative) {
  return alternative.kind == Kind::kObject && alternative.members.size() == 1 &&
         alternative.members[0].first == "exists" &&
         alternative.members[0].second.kind == Kind::kBool &&
         !alternative.members[0].second.boolean;
}

// Does one event leaf satisfy one alternative of a pattern leaf array?
bool AlternativeMatchesLeaf(const RefValue& alternative, const RefValue& leaf) {
  if (alternative.kind != Kind::kObject) return ExactEquals(alternative, leaf);
  const auto& [op, operand] = alternative.members.at(0);
  const bool is_string = leaf.kind == Kind::kString;
  if (op == "prefix") return AffixMatches(operand, leaf, /*prefix=*/true);
  if (op == "suffix") return AffixMatches(operand, leaf, /*prefix=*/false);
  if (op == "equals-ignore-case") return is_string && FoldCase(leaf.text) == FoldCase(operand.text);
  if (op == "wildcard") return is_string && WildcardMatches(operand.text, leaf.text);
  if (op == "numeric") return NumericMatches(operand, leaf);
  if (op == "cidr") return is_string && CidrContains(operand.text, leaf.text);
  if (op == "exists") return operand.boolean;  // exists:false is never met by a leaf
  if (op == "anything-but") return !ExcludedByAnythingBut(operand, leaf);
  if (op == "regexp") return is_string && RE2::FullMatch(leaf.text, RE2(operand.text));
  return false;
}

// ---------------------------------------------------------------------------
// Patterns: `$or` expansion into conjunctions.

using Conjunction = std::vector<RefField>;

std::vector<Conjunction> Product(const std::vector<Conjunction>& a,
                                 const std::vector<Conjunction>& b) {
  std::vector<Conjunction> out;
  for (const Conjunction& x : a) {
    for (const Conjunction& y : b) {
      Conjunction both = x;
      both.insert(both.end(), y.begin(), y.end());
      out.push_back(std::move(both));
    }
  }
  return out;
}

std::vector<Conjunction> Expand(const RefValue& object, const std::string& prefix) {
  std::vector<Conjunction> result{Conjunction{}};
  for (const auto& [key, value] : object.members) {
    std::vector<Conjunction> part;
    if (key == "$or") {
      for (const RefValue& branch : value.items) {
        std::vector<Conjunction> expanded = Expand(branch, prefix);
        part.insert(part.end(), expanded.begin(), expanded.end());
      }
    } else if (value.kind == Kind::kArray) {
      part.push_back(Conjunction{RefField{prefix + key, &value}});
    } else {
      part = Expand(value, prefix + key + ".");
    }
    result = Product(result, part);
  }
  return result;
}

// ---------------------------------------------------------------------------
// Events: flattening and the consistent-choice search.

void Flatten(const RefValue& value, const std::string& path,
             std::vector<std::pair<int, int>>& arrays, int& next_array,
             std::map<std::string, std::vector<ReferenceEvent::Leaf>>& out) {
  switch (value.kind) {
    case Kind::kObject:
      for (const auto& [key, member] : value.members) {
        Flatten(member, path.empty() ? key : path + "." + key, arrays, next_array, out);
      }
      break;
    case Kind::kArray: {
      const int instance = next_array++;
      for (size_t i = 0; i < value.items.size(); ++i) {
        arrays.emplace_back(instance, static_cast<int>(i));
        Flatten(value.items[i], path, arrays, next_array, out);
        arrays.pop_back();
      }
      break;
    }
    default:
      out[path].push_back(ReferenceEvent::Leaf{&value, arrays});
  }
}

// Two leaves are consistent unless some array holds both in different elements.
bool Consistent(const ReferenceEvent::Leaf& a, const ReferenceEvent::Leaf& b) {
  for (const auto& [array_a, index_a] : a.arrays) {
    for (const auto& [array_b, index_b] : b.arrays) {
      if (array_a == array_b && index_a != index_b) return false;
    }
  }
  return true;
}

bool ChooseConsistent(const std::vector<std::vector<const ReferenceEvent::Leaf*>>& candidates,
                      size_t field, std::vector<const ReferenceEvent::Leaf*>& chosen) {
  if (field == candidates.size()) return true;
  for (const ReferenceEvent::Leaf* leaf : candidates[field]) {
    bool ok = true;
    for (const ReferenceEvent::Leaf* other : chosen) ok = ok && Consistent(*leaf, *other);
    if (!ok) continue;
    chosen.push_back(leaf);
    if (ChooseConsistent(candidates, field + 1, chosen)) return true;
    chosen.pop_back();
  }
  return false;
}

bool ConjunctionMatches(const Conjunction& conjunction, const ReferenceEvent& event) {
  // For each field that needs a leaf, the leaves that satisfy it.
  std::vector<std::vector<const ReferenceEvent::Leaf*>> candidates;
  for (const RefField& field : conjunction) {
    const std::vector<ReferenceEvent::Leaf>& leaves = event.LeavesAt(field.path);
    const std::vector<RefValue>& alternatives = field.alternatives->items;
    const bool absent_ok =
        leaves.empty() && std::any_of(alternatives.begin(), alternatives.end(), IsExistsFalse);
    if (absent_ok) continue;  // satisfied by the absence of any leaf at the path
    std::vector<const ReferenceEvent::Leaf*> satisfying;
    for (const ReferenceEvent::Leaf& leaf : leaves) {
      for (const RefValue& alternative : alternatives) {
        if (AlternativeMatchesLeaf(alternative, *leaf.value)) {
          satisfying.push_back(&leaf);
          break;
        }
      }
    }
    if (satisfying.empty()) return false;
    candidates.push_back(std::move(satisfying));
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.size() < b.size(); });
  std::vector<const ReferenceEvent::Leaf*> chosen;
  return ChooseConsistent(candidates, 0, chosen);
}

}  // namespace

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

absl::StatusOr<RefValue> ParseReferenceJson(std::string_view json) {
  std::string rest;
  std::vector<std::string> numbers;
  if (absl::Status s = CutOutNumbers(json, rest, numbers); !s.ok()) return s;
  simdjson::dom::parser parser;
  if (parser.allocate(std::max<size_t>(rest.size(), 64), /*max_depth=*/10000) !=
      simdjson::SUCCESS) {
    return absl::InvalidArgumentError("cannot allocate parser");
  }
  simdjson::padded_string padded(rest);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(std::string("malformed JSON: ") +
                                      simdjson::error_message(error));
  }
  size_t next_number = 0;
  return Convert(root, numbers, next_number);
}

absl::StatusOr<ReferencePattern> ReferencePattern::Parse(std::string_view pattern_json) {
  absl::StatusOr<RefValue> root = ParseReferenceJson(pattern_json);
  if (!root.ok()) return root.status();
  if (root->kind != Kind::kObject) return absl::InvalidArgumentError("pattern is not an object");
  ReferencePattern pattern;
  pattern.root_ = std::make_shared<const RefValue>(*std::move(root));
  pattern.conjunctions_ = Expand(*pattern.root_, "");
  return pattern;
}

absl::StatusOr<ReferenceEvent> ReferenceEvent::Parse(std::string_view event_json) {
  absl::StatusOr<RefValue> root = ParseReferenceJson(event_json);
  if (!root.ok()) return root.status();
  if (root->kind != Kind::kObject) return absl::InvalidArgumentError("event is not an object");
  ReferenceEvent event;
  event.root_ = std::make_shared<const RefValue>(*std::move(root));
  std::vector<std::pair<int, int>> arrays;
  int next_array = 0;
  Flatten(*event.root_, "", arrays, next_array, event.leaves_by_path_);
  return event;
}

const std::vector<ReferenceEvent::Leaf>& ReferenceEvent::LeavesAt(const std::string& path) const {
  static const std::vector<Leaf> kNone;
  auto it = leaves_by_path_.find(path);
  return it == leaves_by_path_.end() ? kNone : it->second;
}

bool ReferenceMatches(const ReferencePattern& pattern, const ReferenceEvent& event) {
  for (const Conjunction& conjunction : pattern.conjunctions()) {
    if (ConjunctionMatches(conjunction, event)) return true;
  }
  return false;
}

absl::StatusOr<bool> ReferenceMatch(std::string_view pattern_json, std::string_view event_json) {
  absl::StatusOr<ReferencePattern> pattern = ReferencePattern::Parse(pattern_json);
  if (!pattern.ok()) return pattern.status();
  absl::StatusOr<ReferenceEvent> event = ReferenceEvent::Parse(event_json);
  if (!event.ok()) return event.status();
  return ReferenceMatches(*pattern, *event);
}

std::string FoldCase(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size();) {
    size_t length = 1;
    long c = DecodeUtf8(utf8, i, length);
    if (c < 0) {
      out += utf8[i];
      ++i;
      continue;
    }
    AppendUtf8(FoldCodePoint(static_cast<char32_t>(c)), out);
    i += length;
  }
  return out;
}

bool WildcardMatches(std::string_view pattern, std::string_view value) {
  constexpr int kStar = -1;
  std::vector<int> tokens;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      tokens.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (pattern[i] == '*') {
      tokens.push_back(kStar);
    } else {
      tokens.push_back(static_cast<unsigned char>(pattern[i]));
    }
  }
  // matched[j]: the tokens so far match value[0, j).
  std::vector<bool> matched(value.size() + 1, false);
  matched[0] = true;
  for (int token : tokens) {
    std::vector<bool> next(value.size() + 1, false);
    bool any_before = false;
    for (size_t j = 0; j <= value.size(); ++j) {
      if (token == kStar) {
        any_before = any_before || matched[j];
        next[j] = any_before;
      } else {
        next[j] = j > 0 && matched[j - 1] && static_cast<unsigned char>(value[j - 1]) == token;
      }
    }
    matched = std::move(next);
  }
  return matched[value.size()];
}

bool NumberRoundTrips(std::string_view text) {
  const double d = ParseDouble(std::string(text));
  if (!std::isfinite(d)) return false;
  char buffer[64];
  std::to_chars_result r = std::to_chars(buffer, buffer + sizeof buffer, d);
  return CanonicalDecimal(text) == CanonicalDecimal(std::string_view(buffer, r.ptr - buffer));
}

bool NumberTextsEqual(std::string_view a, std::string_view b) {
  if (NumberRoundTrips(a) && NumberRoundTrips(b)) {
    return ParseDouble(std::string(a)) == ParseDouble(std::string(b));
  }
  return a == b;
}

bool CidrContains(std::string_view block, std::string_view address) {
  const size_t slash = block.find('/');
  if (slash == std::string_view::npos) return false;
  if (address.find('\0') != std::string_view::npos) return false;
  const std::string network(block.substr(0, slash));
  const int bits = std::atoi(std::string(block.substr(slash + 1)).c_str());
  const bool v6 = network.find(':') != std::string::npos;
  unsigned char net[16], addr[16];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, network.c_str(), net) != 1) return false;
  if (inet_pton(v6 ? AF_INET6 : AF_INET, std::string(address).c_str(), addr) != 1) return false;
  for (int i = 0; i < bits; ++i) {
    const int mask = 0x80 >> (i % 8);
    if ((net[i / 8] & mask) != (addr[i / 8] & mask)) return false;
  }
  return true;
}

}  // namespace busbar::testing
