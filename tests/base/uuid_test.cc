// Tests of base::NewUuidV4: the canonical form with the version and variant bits, uniqueness
// within and across threads, and every random digit varying.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "gtest/gtest.h"
#include "matcher/base/base.h"

namespace busbar::base {
namespace {

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

TEST(NewUuidV4, HasTheCanonicalFormWithVersion4AndTheRfc4122Variant) {
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuidV4();
    ASSERT_EQ(id.size(), 36u) << id;
    for (size_t at = 0; at < id.size(); ++at) {
      if (at == 8 || at == 13 || at == 18 || at == 23) {
        ASSERT_EQ(id[at], '-') << id;
      } else {
        ASSERT_TRUE(IsLowerHex(id[at])) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_NE(std::string_view("89ab").find(id[19]), std::string_view::npos) << id;
  }
}

TEST(NewUuidV4, EveryRandomDigitVaries) {
  std::vector<std::set<char>> seen(36);
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuidV4();
    for (size_t at = 0; at < id.size(); ++at) seen[at].insert(id[at]);
  }
  for (size_t at = 0; at < 36; ++at) {
    if (at == 8 || at == 13 || at == 14 || at == 18 || at == 23) continue;
    EXPECT_EQ(seen[at].size(), at == 19 ? 4u : 16u) << "position " << at;
  }
}

TEST(NewUuidV4, IsUniqueWithinAndAcrossThreads) {
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < kEach; ++i) ids[t].push_back(NewUuidV4());
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::flat_hash_set<std::string> all;
  for (const auto& some : ids) all.insert(some.begin(), some.end());
  EXPECT_EQ(all.size(), size_t{kThreads} * kEach);
}

}  // namespace
}  // namespace busbar::base
