// Test-only: random JSON events as trees, written with their keys in a random order and their
// array items shuffled and repeated, none of which changes the shape Infer gives them.
#pragma once

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace busbar::registry::testing {

// A JSON value as a tree, so it can be written with its keys and items in any order.
struct RandomValue {
  enum Type { kNull, kBool, kInt, kNum, kStr, kDate, kObj, kArr } type = kNull;
  std::vector<std::pair<std::string, RandomValue>> members;  // kObj
  std::vector<RandomValue> items;                            // kArr

  // Out of line (random_event.cc): `members` holds RandomValue, incomplete here, and clang with
  // libstdc++ refuses to instantiate the vector's members inline.
  RandomValue();
  RandomValue(const RandomValue&);
  RandomValue(RandomValue&&) noexcept;
  RandomValue& operator=(const RandomValue&);
  RandomValue& operator=(RandomValue&&) noexcept;
  ~RandomValue();

  // A random value nesting at most 4 containers below `depth`; keys from a small set, so that
  // objects of one array share some.
  static RandomValue Make(std::mt19937& rng, int depth = 0);
  std::string Write(std::mt19937& rng, bool shuffle_items) const;
};

}  // namespace busbar::registry::testing
