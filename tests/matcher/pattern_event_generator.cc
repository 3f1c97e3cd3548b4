// Test-only: the random pattern and event generator. See pattern_event_generator.h.
#include "tests/matcher/pattern_event_generator.h"

#include <cstdio>
#include <cstdlib>

#include "tests/matcher/reference_matcher.h"

namespace busbar::testing {
namespace {

// ---------------------------------------------------------------------------
// Vocabulary shared by patterns and events, so that they meet often.

const std::vector<std::string> kPatternKeys = {"a",      "b",   "c",   "state",       "source",
                                               "detail", "a.b", "b.c", "detail.state"};
const std::vector<std::string> kEventKeys = {"a", "b", "c", "state", "source", "detail", "x"};

const std::vector<std::string> kStrings = {
    "", "x", "X", "abc", "ABC", "Abc", "a*c", "a\\c", "a b ", "a b", "us-east-1", "us-west-2",
    "US-EAST-1", "eu-west-1", "init", "initial", "image.png", "IMAGE.PNG", "àéî", "ÀÉÎ", "αβγ",
    "ΑΒΓ", "привет", "ПРИВЕТ", "café", "10.0.0.1", "10.0.1.5", "192.168.1.1", "2001:db8::1",
    "2001:db9::1", "null", "300", "true", "abcabc", "a:b:c", "/usr/lib/x", "]}", "a\"b",
    "{\"a\": 1}", "\\\"", "x\n\ty", "🚀",
    // Longer than a 64-byte block.
    std::string(70, 'a') + "c", "us-" + std::string(100, 'x') + "-1",
    "ab" + std::string(80, '*') + ".png", std::string(40, 'A') + "BC" + std::string(40, 'b')};
// Strings full of JSON structure characters, for the containers an event's
// flattener must skip without parsing.
const std::vector<std::string> kTrickyStrings = {"{",      "}", "[", "]",    "\"", "\\", "\\\"",
                                                 "}]\"[{", ",", ":", "\\\\", "\n", " "};
// Includes equivalent spellings and two 20-digit ids with the same double.
// clang-format off
const std::vector<std::string> kNumbers = {
    "0", "-1", "1", "2.5", "3", "10", "300", "300.0", "3.0e2", "3e2", "301.8", "1000", "1e3",
    "0.001", "1E-3", "-7.25", "12345678901234567891", "12345678901234567892", "-0", "0.0", "0e0",
    "1.0E+2", "100", "30000e-2", "2.50"};
// clang-format on
// Numbers that survive the double round trip (for anything-but lists and numeric).
const std::vector<std::string> kPlainNumbers = {"-5",  "0",     "1",   "2.5",   "3",   "10",
                                                "300", "3.0e2", "3e2", "301.8", "1e3", "-7.25"};
const std::vector<std::string> kPrefixes = {"us-", "a", "A",   "in",    "im",
                                            "à",   "Α", "при", "10.0.", "ab"};
const std::vector<std::string> kSuffixes = {"-1", ".png", ".PNG", "c", "é", "γ", "ет", "t", "x"};
const std::vector<std::string> kWildcards = {"*",   "a*",      "*c",    "a*c",     "us-*",
                                             "*-1", "us-*-1",  "a\\*c", "a\\\\c",  "abc",
                                             "*b*", "im*.png", "*é*",   "*/lib/*", "a:*:c"};
const std::vector<std::string> kCidrs = {"10.0.0.0/24",   "10.0.0.0/8", "192.168.0.0/16",
                                         "2001:db8::/32", "0.0.0.0/0",  "10.0.1.0/31"};
const std::vector<std::string> kIps = {"10.0.0.1",    "10.0.0.255",  "10.0.1.5",
                                       "10.200.0.1",  "192.168.1.1", "192.169.0.1",
                                       "2001:db8::1", "2001:db9::1", "8.8.8.8"};
const std::vector<std::string> kRegexps = {
    "a.*", "[a-z]+", "us-(east|west)-[0-9]", ".*", "[0-9.]+", "(?i)abc", "..."};

// ---------------------------------------------------------------------------
// `$or` expansion, to build events for one conjunction of a pattern.

// A field of an expanded pattern: path segments and the alternatives.
struct Field {
  std::vector<std::string> segments;
  const Json* alternatives;
};
using Conjunction = std::vector<Field>;

std::vector<std::string> SplitDots(const std::string& key) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t dot; (dot = key.find('.', start)) != std::string::npos; start = dot + 1) {
    out.push_back(key.substr(start, dot - start));
  }
  out.push_back(key.substr(start));
  return out;
}

std::vector<Conjunction> ExpandPattern(const Json& object, const std::vector<std::string>& prefix) {
  std::vector<Conjunction> result{Conjunction{}};
  for (const auto& [key, value] : object.members) {
    std::vector<Conjunction> part;
    if (key == "$or") {
      for (const Json& branch : value.items) {
        std::vector<Conjunction> expanded = ExpandPattern(branch, prefix);
        part.insert(part.end(), expanded.begin(), expanded.end());
      }
    } else {
      std::vector<std::string> path = prefix;
      for (std::string& segment : SplitDots(key)) path.push_back(std::move(segment));
      if (value.kind == Json::Kind::kArray) {
        part.push_back(Conjunction{Field{path, &value}});
      } else {
        part = ExpandPattern(value, path);
      }
    }
    std::vector<Conjunction> product;
    for (const Conjunction& x : result) {
      for (const Conjunction& y : part) {
        Conjunction both = x;
        both.insert(both.end(), y.begin(), y.end());
        product.push_back(std::move(both));
      }
    }
    result = std::move(product);
  }
  return result;
}

// ---------------------------------------------------------------------------
// UTF-8 case flipping for the letters the project promises to fold: ASCII,
// Latin-1 À-Þ, Greek Α-Ω, Cyrillic Ѐ-Я.

char32_t OtherCase(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  return c;
}

std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char b = s[i];
    int n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : 4;
    char32_t c = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(c);
    i += n;
  }
  return out;
}

std::string EncodeUtf8(const std::vector<char32_t>& code_points) {
  std::string out;
  for (char32_t c : code_points) AppendUtf8(c, out);
  return out;
}

bool IsNumberText(const std::string& text) {
  return !text.empty() && (text[0] == '-' || (text[0] >= '0' && text[0] <= '9'));
}

}  // namespace

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

Json PatternEventGenerator::Pattern() {
  int ors = 2;
  return PatternObject(0, ors);
}

std::string PatternEventGenerator::Serialize(const Json& value, bool noisy) {
  if (!noisy) return value.Dump();
  std::string out;
  SerializeNoisy(value, out);
  return out;
}

Json PatternEventGenerator::Event(const Json* pattern) {
  Json event = Json::Object();
  if (pattern != nullptr) {
    std::vector<Conjunction> conjunctions = ExpandPattern(*pattern, {});
    for (const Field& field : Pick(conjunctions)) {
      if (Chance(0.07)) continue;
      std::optional<Json> value =
          Chance(0.12) ? RandomValue(1) : Satisfying(Pick(field.alternatives->items));
      if (!value.has_value()) {
        if (!Chance(0.3)) continue;
        value = Chance(0.5) ? Json::Object() : Json::Array();
      }
      Insert(event, field.segments, 0, *std::move(value));
    }
  }
  if (Chance(0.3)) {
    // Unread noise, before or after the fields that matter.
    int budget = 200;
    Json noise = Noise(Uniform(1, 40), budget);
    if (Chance(0.5)) {
      event.members.emplace(event.members.begin(), "noise", std::move(noise));
    } else {
      event.members.emplace_back("noise", std::move(noise));
    }
  }
  for (int extra = Uniform(pattern ? 0 : 1, pattern ? 2 : 4); extra > 0; --extra) {
    std::vector<std::string> segments;
    for (int depth = Uniform(1, 3); depth > 0; --depth) segments.push_back(Pick(kEventKeys));
    Insert(event, segments, 0, RandomValue(1));
  }
  return event;
}

void PatternEventGenerator::Space(std::string& out) {
  static const std::vector<std::string> kSpaces = {"", "", "", " ", "\n", "\t ", "\r\n  "};
  out += Pick(kSpaces);
}

void PatternEventGenerator::QuoteNoisy(std::string_view s, std::string& out) {
  out += '"';
  const std::vector<char32_t> code_points = DecodeUtf8(s);
  for (char32_t c : code_points) {
    char buffer[16];
    if (c < 0x20 || c == '"' || c == '\\' || Chance(0.1)) {
      if (c == '"' && Chance(0.5)) {
        out += "\\\"";
      } else if (c == '\\' && Chance(0.5)) {
        out += "\\\\";
      } else if (c == '/' && Chance(0.5)) {
        out += "\\/";
      } else if (c < 0x10000) {
        std::snprintf(buffer, sizeof buffer, Chance(0.5) ? "\\u%04x" : "\\u%04X",
                      static_cast<unsigned>(c));
        out += buffer;
      } else {
        const char32_t v = c - 0x10000;
        std::snprintf(buffer, sizeof buffer, "\\u%04x\\u%04x",
                      static_cast<unsigned>(0xD800 + (v >> 10)),
                      static_cast<unsigned>(0xDC00 + (v & 0x3FF)));
        out += buffer;
      }
    } else {
      out += EncodeUtf8({c});
    }
  }
  out += '"';
}

void PatternEventGenerator::SerializeNoisy(const Json& value, std::string& out) {
  Space(out);
  switch (value.kind) {
    case Json::Kind::kScalar:
      if (value.value.has_value()) {
        QuoteNoisy(*value.value, out);
      } else {
        out += value.text;
      }
      break;
    case Json::Kind::kArray:
      out += '[';
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i > 0) out += ',';
        SerializeNoisy(value.items[i], out);
      }
      Space(out);
      out += ']';
      break;
    case Json::Kind::kObject:
      out += '{';
      for (size_t i = 0; i < value.members.size(); ++i) {
        if (i > 0) out += ',';
        Space(out);
        QuoteNoisy(value.members[i].first, out);
        Space(out);
        out += ':';
        SerializeNoisy(value.members[i].second, out);
      }
      Space(out);
      out += '}';
      break;
  }
  Space(out);
}

Json PatternEventGenerator::PatternObject(int depth, int& ors) {
  Json object = Json::Object();
  for (int fields = Uniform(1, 4); fields > 0; --fields) {
    const std::string& key = Pick(kPatternKeys);
    if (object.Find(key) != nullptr) continue;
    if (depth < 2 && Chance(0.3)) {
      object.members.emplace_back(key, PatternObject(depth + 1, ors));
    } else {
      object.members.emplace_back(key, LeafArray());
    }
  }
  if (ors > 0 && depth < 3 && Chance(0.2)) {
    --ors;
    Json branches = Json::Array();
    for (int n = Uniform(2, 3); n > 0; --n) branches.items.push_back(PatternObject(depth + 1, ors));
    object.members.emplace_back("$or", std::move(branches));
  }
  return object;
}

Json PatternEventGenerator::LeafArray() {
  Json alternatives = Json::Array();
  for (int n = Uniform(1, 3); n > 0; --n) alternatives.items.push_back(Alternative());
  return alternatives;
}

Json PatternEventGenerator::StringOrList(const std::vector<std::string>& from) {
  if (!Chance(0.3)) return Json::String(Pick(from));
  Json list = Json::Array();
  for (int n = Uniform(1, 3); n > 0; --n) list.items.push_back(Json::String(Pick(from)));
  return list;
}

Json PatternEventGenerator::Alternative() {
  switch (Uniform(0, 23)) {
    case 0:
    case 1:
    case 2:
      return Json::String(Pick(kStrings));
    case 3:
    case 4:
      return Json::Raw(Pick(kNumbers));
    case 5:
      return Json::Raw(Pick(std::vector<std::string>{"true", "false", "null"}));
    case 6:
    case 7: {
      const std::string op = Chance(0.5) ? "prefix" : "suffix";
      const std::string affix =
          Chance(0.1) ? std::string() : Pick(op == "prefix" ? kPrefixes : kSuffixes);
      return Json::Op(op, Chance(0.3) ? Json::Op("equals-ignore-case", Json::String(affix))
                                      : Json::String(affix));
    }
    case 8:
      return Json::Op("equals-ignore-case", Json::String(Pick(kStrings)));
    case 9:
    case 10:
      return Json::Op("wildcard", Json::String(Pick(kWildcards)));
    case 11:
    case 12:
      return Json::Op("numeric", Numeric());
    case 13:
      return Json::Op("cidr", Json::String(Pick(kCidrs)));
    case 14:
      return Json::Op("exists", Json::Raw("true"));
    case 15:
    case 16:
      return Json::Op("exists", Json::Raw("false"));
    case 22:
      return Json::Op("regexp", Json::String(Pick(kRegexps)));
    default:
      return Json::Op("anything-but", AnythingBut());
  }
}

Json PatternEventGenerator::Numeric() {
  static const std::vector<std::string> kOps = {"=", "<", "<=", ">", ">="};
  Json list = Json::Array();
  const std::string& a = Pick(kPlainNumbers);
  if (Chance(0.5)) {
    list.items = {Json::String(Pick(kOps)), Json::Raw(a)};
    return list;
  }
  std::string b = a;
  while (std::strtod(b.c_str(), nullptr) == std::strtod(a.c_str(), nullptr))
    b = Pick(kPlainNumbers);
  const bool a_low = std::strtod(a.c_str(), nullptr) < std::strtod(b.c_str(), nullptr);
  list.items = {Json::String(Chance(0.5) ? ">" : ">="), Json::Raw(a_low ? a : b),
                Json::String(Chance(0.5) ? "<" : "<="), Json::Raw(a_low ? b : a)};
  return list;
}

Json PatternEventGenerator::AnythingBut() {
  switch (Uniform(0, 7)) {
    case 0:
      return Json::String(Pick(kStrings));
    case 1:
      return Json::Raw(Pick(kPlainNumbers));
    case 2: {
      Json list = Json::Array();
      for (int n = Uniform(1, 3); n > 0; --n) list.items.push_back(Json::String(Pick(kStrings)));
      return list;
    }
    case 3: {
      Json list = Json::Array();
      for (int n = Uniform(1, 3); n > 0; --n) list.items.push_back(Json::Raw(Pick(kPlainNumbers)));
      return list;
    }
    case 4:
      return Json::Op("prefix", StringOrList(kPrefixes));
    case 5:
      return Json::Op("suffix", StringOrList(kSuffixes));
    case 6:
      return Json::Op("equals-ignore-case", StringOrList(kStrings));
    default:
      return Json::Op("wildcard", StringOrList(kWildcards));
  }
}

Json PatternEventGenerator::RandomScalar() {
  const int kind = Uniform(0, 19);
  if (kind == 0) return Json::String(TrickyString());
  if (kind < 9) return Json::String(Pick(kStrings));
  if (kind < 11) return Json::String(Pick(kIps));
  if (kind < 16) return Json::Raw(Pick(kNumbers));
  return Json::Raw(Pick(std::vector<std::string>{"true", "false", "null"}));
}

Json PatternEventGenerator::RandomValue(int depth) {
  const int kind = Uniform(0, 19);
  if (depth >= 3 || kind < 14) return RandomScalar();
  if (kind < 16) {
    Json array = Json::Array();
    for (int n = Uniform(1, 3); n > 0; --n) array.items.push_back(RandomValue(depth + 1));
    return array;
  }
  if (kind < 18) {
    Json object = Json::Object();
    for (int n = Uniform(1, 2); n > 0; --n) {
      const std::string& key = Pick(kEventKeys);
      if (object.Find(key) == nullptr) object.members.emplace_back(key, RandomValue(depth + 1));
    }
    return object;
  }
  return kind == 18 ? Json::Array() : Json::Object();
}

std::string PatternEventGenerator::TrickyString() {
  std::string out;
  for (int n = Uniform(0, 40); n > 0; --n) {
    out += Chance(0.5) ? Pick(kTrickyStrings) : Pick(kStrings);
  }
  return out;
}

Json PatternEventGenerator::Noise(int depth, int& budget) {
  --budget;
  if (depth <= 0 || budget <= 0 || Chance(0.1)) {
    return Chance(0.6) ? Json::String(TrickyString()) : RandomScalar();
  }
  // Mostly a single child, so that depth is reached; sometimes several.
  const int children = Chance(0.7) ? 1 : Uniform(0, 4);
  if (Chance(0.5)) {
    Json array = Json::Array();
    for (int n = children; n > 0 && budget > 0; --n)
      array.items.push_back(Noise(depth - 1, budget));
    return array;
  }
  Json object = Json::Object();
  for (int n = children; n > 0 && budget > 0; --n) {
    object.members.emplace_back(TrickyString(), Noise(depth - 1, budget));
  }
  return object;
}

std::string PatternEventGenerator::RandomCase(const std::string& s) {
  std::vector<char32_t> code_points = DecodeUtf8(s);
  for (char32_t& c : code_points) {
    if (Chance(0.5)) c = OtherCase(c);
  }
  return EncodeUtf8(code_points);
}

std::string PatternEventGenerator::ExpandWildcard(const std::string& wildcard) {
  static const std::vector<std::string> kRuns = {"", "x", "ab", ":", "-", "/lib/"};
  std::string out;
  for (size_t i = 0; i < wildcard.size(); ++i) {
    if (wildcard[i] == '\\' && i + 1 < wildcard.size()) {
      out += wildcard[++i];
    } else if (wildcard[i] == '*') {
      out += Pick(kRuns);
    } else {
      out += wildcard[i];
    }
  }
  return out;
}

bool PatternEventGenerator::NumericHolds(const Json& list, double x) {
  for (size_t i = 0; i + 1 < list.items.size(); i += 2) {
    const std::string& op = *list.items[i].value;
    const double y = std::strtod(list.items[i + 1].text.c_str(), nullptr);
    if (!(op == "="    ? x == y
          : op == "<"  ? x < y
          : op == "<=" ? x <= y
          : op == ">"  ? x > y
                       : x >= y)) {
      return false;
    }
  }
  return true;
}

std::optional<Json> PatternEventGenerator::Satisfying(const Json& alternative) {
  static const std::vector<std::string> kTails = {"", "x", "-1", "abc", "é"};
  static const std::vector<std::string> kHeads = {"", "x", "us-", "ab"};
  if (alternative.kind == Json::Kind::kScalar) {
    if (!IsNumberText(alternative.text)) return alternative;
    std::vector<std::string> equal;
    for (const std::string& n : kNumbers) {
      if (busbar::testing::NumberTextsEqual(alternative.text, n)) equal.push_back(n);
    }
    return Json::Raw(equal.empty() ? alternative.text : Pick(equal));
  }
  const auto& [op, operand] = alternative.members[0];
  const bool ignore_case = operand.kind == Json::Kind::kObject;
  const Json& inner = ignore_case ? operand.members[0].second : operand;
  const std::string text = inner.value.value_or("");
  if (op == "prefix") return Json::String((ignore_case ? RandomCase(text) : text) + Pick(kTails));
  if (op == "suffix") return Json::String(Pick(kHeads) + (ignore_case ? RandomCase(text) : text));
  if (op == "equals-ignore-case") return Json::String(RandomCase(text));
  if (op == "wildcard") return Json::String(ExpandWildcard(text));
  if (op == "cidr") return Json::String(Pick(kIps));
  if (op == "regexp") return Json::String(Pick(kStrings));
  if (op == "exists") {
    if (operand.text == "false") return std::nullopt;
    return RandomScalar();
  }
  if (op == "numeric") {
    for (int tries = 0; tries < 10; ++tries) {
      const std::string& n = Pick(kNumbers);
      if (NumericHolds(operand, std::strtod(n.c_str(), nullptr))) return Json::Raw(n);
    }
  }
  return RandomScalar();  // anything-but, or numeric with no luck
}

Json PatternEventGenerator::WrapInArray(Json value) {
  switch (Uniform(0, 4)) {
    case 0:
      return Json::Array({std::move(value)});
    case 1:
      return Json::Array({std::move(value), RandomScalar()});
    case 2:
      return Json::Array({RandomScalar(), std::move(value)});
    case 3:
      return Json::Array({Json::Array({std::move(value)}), RandomScalar()});
    default:
      return Json::Array({RandomScalar(), Json::Array({RandomScalar(), std::move(value)})});
  }
}

void PatternEventGenerator::Insert(Json& object, const std::vector<std::string>& segments, size_t i,
                                   Json value) {
  size_t take = 1;
  if (segments.size() - i > 1 && Chance(0.2)) {
    take = Uniform(2, static_cast<int>(segments.size() - i));
  }
  std::string key = segments[i];
  for (size_t k = i + 1; k < i + take; ++k) key += "." + segments[k];
  i += take;
  Json* existing = object.Find(key);
  if (i == segments.size()) {
    if (Chance(0.25)) value = WrapInArray(std::move(value));
    if (existing == nullptr) {
      object.members.emplace_back(key, std::move(value));
    } else if (existing->kind == Json::Kind::kArray) {
      existing->items.push_back(std::move(value));
    } else if (Chance(0.5)) {
      *existing = Json::Array({*existing, std::move(value)});
    } else {
      *existing = std::move(value);
    }
    return;
  }
  if (existing == nullptr) {
    if (Chance(0.25)) {
      Json array = Json::Array();
      if (Chance(0.5)) array.items.push_back(RandomValue(2));
      array.items.push_back(Json::Object());
      if (Chance(0.3)) array.items.push_back(RandomValue(2));
      if (Chance(0.2)) {
        // A crowd of elements with the same shape: near misses for array consistency.
        for (int n = Uniform(3, 25); n > 0; --n) {
          Json element = Json::Object();
          Insert(element, segments, i, RandomScalar());
          array.items.push_back(std::move(element));
        }
      }
      object.members.emplace_back(key, std::move(array));
    } else {
      object.members.emplace_back(key, Json::Object());
    }
    existing = &object.members.back().second;
  }
  Json* target = existing;
  while (target->kind != Json::Kind::kObject) {
    if (target->kind == Json::Kind::kScalar) {
      *target = Chance(0.5) ? Json::Object() : Json::Array({*target, Json::Object()});
      continue;
    }
    std::vector<size_t> containers;
    for (size_t k = 0; k < target->items.size(); ++k) {
      if (target->items[k].kind != Json::Kind::kScalar) containers.push_back(k);
    }
    if (containers.empty() || Chance(0.3)) {
      target->items.push_back(Json::Object());
      target = &target->items.back();
    } else {
      target = &target->items[Pick(containers)];
    }
  }
  Insert(*target, segments, i, std::move(value));
}

}  // namespace busbar::testing
