// Test-only: see random_event.h.
#include "tests/registry/random_event.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace busbar::registry::testing {

RandomValue::RandomValue() = default;
RandomValue::RandomValue(const RandomValue&) = default;
RandomValue::RandomValue(RandomValue&&) noexcept = default;
RandomValue& RandomValue::operator=(const RandomValue&) = default;
RandomValue& RandomValue::operator=(RandomValue&&) noexcept = default;
RandomValue::~RandomValue() = default;

RandomValue RandomValue::Make(std::mt19937& rng, int depth) {
  const int max_type = depth >= 4 ? RandomValue::kDate : RandomValue::kArr;
  RandomValue v;
  v.type = static_cast<RandomValue::Type>(std::uniform_int_distribution<int>(0, max_type)(rng));
  const int n = std::uniform_int_distribution<int>(0, 3)(rng);
  static const char* const kKeys[] = {"a", "b", "c", "detail", "id"};
  if (v.type == RandomValue::kObj) {
    for (int i = 0; i < n; ++i) {
      std::string key = kKeys[std::uniform_int_distribution<int>(0, 4)(rng)];
      bool taken = false;
      for (const auto& m : v.members) taken |= m.first == key;
      if (!taken) v.members.emplace_back(key, Make(rng, depth + 1));
    }
  } else if (v.type == RandomValue::kArr) {
    for (int i = 0; i < n; ++i) v.items.push_back(Make(rng, depth + 1));
  }
  return v;
}

std::string RandomValue::Write(std::mt19937& rng, bool shuffle_items) const {
  const RandomValue& v = *this;
  switch (v.type) {
    case RandomValue::kNull:
      return "null";
    case RandomValue::kBool:
      return "true";
    case RandomValue::kInt:
      return "-12";
    case RandomValue::kNum:
      return "0.5";
    case RandomValue::kStr:
      return "\"x\"";
    case RandomValue::kDate:
      return "\"2024-05-06T07:08:09.5+01:00\"";
    case RandomValue::kObj: {
      std::vector<size_t> order(v.members.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      std::string out = "{";
      for (size_t i : order) {
        absl::StrAppend(&out, out.size() > 1 ? "," : "", "\"", v.members[i].first,
                        "\":", v.members[i].second.Write(rng, shuffle_items));
      }
      return out + "}";
    }
    case RandomValue::kArr: {
      std::vector<size_t> order(v.items.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      if (shuffle_items) {
        if (!order.empty()) order.push_back(order[rng() % order.size()]);
        std::shuffle(order.begin(), order.end(), rng);
      }
      std::string out = "[";
      for (size_t i : order) {
        absl::StrAppend(&out, out.size() > 1 ? "," : "", v.items[i].Write(rng, shuffle_items));
      }
      return out + "]";
    }
  }
  return "";
}

}  // namespace busbar::registry::testing
