// Discovery at volume: 1,000,000 events of 10,000 distinct shapes (100 detail-types x 100
// shapes) go through Registry::Discover (BUSBAR_TEST_SCALE scales the event counts; CI's
// sanitizer stage runs a tenth). Every shape is inferred once, every other event is a
// shape-cache hit, nothing is dropped, and the process's peak RSS stays bounded (printed; the
// figure goes in the notes). A second run with a tiny shape cache and model cache checks that
// eviction changes nothing in what is stored.
#include <cstdio>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "registry/registry.h"
#include "tests/targets/temp_dir.h"
#include "tests/testing/scale.h"

namespace busbar::registry {
namespace {

using targets::testing::TempDir;

constexpr int kTypes = 100;
constexpr int kShapesPerType = 100;
// At least twice every shape, so the shape cache is both filled and hit.
const int kEvents = busbar::testing::Scaled(1'000'000, 20'000);
const int kSmallCacheEvents = busbar::testing::Scaled(100'000, 20'000);

// Shape `shape` (0..99) of detail-type `type`: which of seven optional fields it has (the bits
// of shape % 64) and whether "n" is an integer or a string (shape / 64).
std::string MakeEvent(int type, int shape, int serial) {
  std::string detail = absl::StrCat(R"({"id":")", serial, "\"");
  for (int bit = 0; bit < 6; ++bit) {
    if ((shape % 64) & (1 << bit)) absl::StrAppend(&detail, ",\"f", bit, "\":", serial % 97);
  }
  if (shape / 64 == 0) {
    absl::StrAppend(&detail, R"(,"n":)", serial);
  } else {
    absl::StrAppend(&detail, R"(,"n":"v)", serial, "\"");
  }
  absl::StrAppend(&detail, R"(,"nested":{"a":[1,2,3],"when":"2024-05-01T12:00:00Z"}})");
  return absl::StrCat(R"({"version":"0","id":"e-)", serial, R"(","detail-type":"Type )", type,
                      R"(","source":"load.test","account":"111122223333",)",
                      R"("time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":[],)",
                      R"("detail":)", detail, "}");
}

// Peak resident set of this process, in KiB (VmHWM).
long PeakRssKiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// Runs the load and returns the latest content of every schema, by name.
std::vector<std::pair<std::string, std::string>> RunLoad(const RegistryOptions& options, int events,
                                                         RegistryStats* stats,
                                                         size_t* max_shape_cache) {
  auto registry = Registry::Open(options);
  EXPECT_TRUE(registry.ok()) << registry.status();
  if (!registry.ok()) return {};
  std::vector<Registry::Observed> batch;
  *max_shape_cache = 0;
  for (int i = 0; i < events; ++i) {
    const int shape_id = i % (kTypes * kShapesPerType);
    batch.push_back(
        {"default", MakeEvent(shape_id / kShapesPerType, shape_id % kShapesPerType, i)});
    if (batch.size() == 100) {
      (*registry)->Discover(std::move(batch));
      batch.clear();
    }
    // Stay under the queue bound: discovery drops rather than slowing a producer.
    if (i % 10'000 == 9'999) {
      (*registry)->Flush();
      *max_shape_cache = std::max(*max_shape_cache, (*registry)->stats().shape_cache_size);
    }
  }
  (*registry)->Discover(std::move(batch));
  (*registry)->Flush();
  *stats = (*registry)->stats();
  std::vector<std::pair<std::string, std::string>> contents;
  std::string token;
  do {
    auto page = (*registry)->ListSchemas("discovered-schemas", "load.test@", token, 100);
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok()) break;
    for (const SchemaInfo& s : page->items) {
      contents.emplace_back(s.name,
                            (*registry)->DescribeSchema("discovered-schemas", s.name, "")->content);
    }
    token = page->next_token;
  } while (!token.empty());
  return contents;
}

TEST(DiscoveryAtVolume, MillionEventsTenThousandShapesStayBounded) {
  TempDir dir;
  RegistryOptions options;
  options.path = dir.path() + "/registry.db";
  RegistryStats stats;
  size_t max_shape_cache = 0;
  const long rss_before = PeakRssKiB();
  auto contents = RunLoad(options, kEvents, &stats, &max_shape_cache);
  const long rss_after = PeakRssKiB();
  std::printf(
      "discovery: %d events, %d shapes: peak RSS %ld KiB (before the load %ld KiB); "
      "%lu inferred, %lu shape hits, %lu versions, %lu dropped\n",
      kEvents, kTypes * kShapesPerType, rss_after, rss_before,
      static_cast<unsigned long>(stats.shapes_inferred),
      static_cast<unsigned long>(stats.shape_hits),
      static_cast<unsigned long>(stats.versions_written),
      static_cast<unsigned long>(stats.events_dropped));
  EXPECT_EQ(stats.events_received, static_cast<uint64_t>(kEvents));
  EXPECT_EQ(stats.events_dropped, 0u);
  EXPECT_EQ(stats.events_failed, 0u);
  EXPECT_EQ(stats.shapes_inferred, static_cast<uint64_t>(kTypes * kShapesPerType));
  EXPECT_EQ(stats.shape_hits, static_cast<uint64_t>(kEvents - kTypes * kShapesPerType));
  ASSERT_EQ(contents.size(), static_cast<size_t>(kTypes));
  // Bounded: far below what keeping the events (~300 MB of text) would take. Not under ASan,
  // whose allocator keeps freed memory in quarantine (hundreds of MB by design).
#if !defined(BUSBAR_UNDER_ASAN)
  EXPECT_LT(rss_after, 256 * 1024) << "peak RSS " << rss_after << " KiB";
#endif
}

TEST(DiscoveryAtVolume, SmallCachesStoreTheSameSchemas) {
  TempDir big_dir, small_dir;
  RegistryOptions big;
  big.path = big_dir.path() + "/registry.db";
  RegistryOptions small = big;
  small.path = small_dir.path() + "/registry.db";
  small.shape_cache_entries = 1'000;
  small.model_cache_entries = 10;
  RegistryStats big_stats, small_stats;
  size_t big_max = 0, small_max = 0;
  // Every shape ten times (twice at BUSBAR_TEST_SCALE 0.1); with the small caches nearly every
  // event is a miss.
  auto expected = RunLoad(big, kSmallCacheEvents, &big_stats, &big_max);
  auto actual = RunLoad(small, kSmallCacheEvents, &small_stats, &small_max);
  EXPECT_LE(small_max, 1'000u);
  EXPECT_LE(small_stats.model_cache_size, 10u);
  EXPECT_GT(small_stats.shapes_inferred, big_stats.shapes_inferred);  // evicted shapes come back
  EXPECT_EQ(actual, expected);
}

}  // namespace
}  // namespace busbar::registry
