// Test-only: random EventBridge event patterns and events, for the differential
// test (differential_test.cc) that checks busbar::matcher against the reference.
//
// Patterns use every operator of shared/PATTERNS.md, nesting, `$or`, dotted keys
// and equivalent number spellings (300, 300.0, 3.0e2). An event is usually built
// from one conjunction of a pattern, each field given a value meant to satisfy one
// of its alternatives, placed under nested objects, dotted keys, arrays and arrays
// of objects (so array consistency is exercised both ways), with unread noise full
// of JSON structure characters; so matches and near misses are both common.
//
// Deterministic for a given seed. Thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace busbar::testing {

// The JSON string literal for `s`: quotes, backslashes and control characters
// escaped, everything else kept as it is.
std::string Quote(std::string_view s);

// A JSON value under construction; scalars are kept as JSON text.
struct Json {
  enum class Kind { kScalar, kArray, kObject };
  Kind kind = Kind::kScalar;
  std::string text;                  // kScalar: JSON text
  std::optional<std::string> value;  // kScalar string: its value
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  static Json Raw(std::string text) {
    Json j;
    j.text = std::move(text);
    return j;
  }
  static Json String(std::string_view s) {
    Json j = Raw(Quote(s));
    j.value = std::string(s);
    return j;
  }
  static Json Array(std::vector<Json> items = {}) {
    Json j;
    j.kind = Kind::kArray;
    j.items = std::move(items);
    return j;
  }
  static Json Object() {
    Json j;
    j.kind = Kind::kObject;
    return j;
  }
  static Json Op(std::string name, Json operand) {
    Json j = Object();
    j.members.emplace_back(std::move(name), std::move(operand));
    return j;
  }

  Json* Find(const std::string& key) {
    for (auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }

  void Dump(std::string& out) const {
    switch (kind) {
      case Kind::kScalar:
        out += text;
        break;
      case Kind::kArray:
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out += ", ";
          items[i].Dump(out);
        }
        out += ']';
        break;
      case Kind::kObject:
        out += '{';
        for (size_t i = 0; i < members.size(); ++i) {
          if (i > 0) out += ", ";
          out += Quote(members[i].first);
          out += ": ";
          members[i].second.Dump(out);
        }
        out += '}';
        break;
    }
  }
  std::string Dump() const {
    std::string out;
    Dump(out);
    return out;
  }
};

class PatternEventGenerator {
 public:
  explicit PatternEventGenerator(uint64_t seed) : rng_(seed) {}

  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Uniform(0, static_cast<int>(v.size()) - 1)];
  }

  Json Pattern();

  // JSON text of `value`; when `noisy`, strings are escaped at random (\uXXXX,
  // surrogate pairs, \/) and whitespace is sprinkled between tokens.
  std::string Serialize(const Json& value, bool noisy);

  // An event; when `pattern` is given, built to (nearly) satisfy one of its
  // conjunctions.
  Json Event(const Json* pattern);

 private:
  void Space(std::string& out);

  void QuoteNoisy(std::string_view s, std::string& out);

  void SerializeNoisy(const Json& value, std::string& out);

  // -- Patterns --
  Json PatternObject(int depth, int& ors);

  Json LeafArray();

  Json StringOrList(const std::vector<std::string>& from);

  Json Alternative();

  Json Numeric();

  Json AnythingBut();

  // -- Events --
  Json RandomScalar();

  Json RandomValue(int depth);

  // A string of 0-150 bytes mixing letters and JSON structure characters.
  std::string TrickyString();

  // A subtree no pattern reads: deep, wide, full of tricky strings. `budget`
  // bounds the number of nodes.
  Json Noise(int depth, int& budget);

  std::string RandomCase(const std::string& s);

  std::string ExpandWildcard(const std::string& wildcard);

  bool NumericHolds(const Json& list, double x);

  // A value meant to satisfy one alternative; nullopt for exists:false.
  std::optional<Json> Satisfying(const Json& alternative);

  // Wraps a leaf value in an array, sometimes with noise, sometimes nested.
  Json WrapInArray(Json value);

  // Puts `value` at the path segments[i..] below `object`, choosing at random
  // between nested objects and dotted keys, and descending into (or creating)
  // arrays of objects on the way.
  void Insert(Json& object, const std::vector<std::string>& segments, size_t i, Json value);

  std::mt19937_64 rng_;
};

}  // namespace busbar::testing
