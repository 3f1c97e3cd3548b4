// Tests of base::FormatRfc3339: known instants, both precisions, times before 1970, years
// outside 1000-9999, and agreement with absl::FormatTime across the years 1000-9999.
#include <cstdint>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "matcher/base/base.h"

namespace busbar::base {
namespace {

std::string Seconds(int64_t ms) { return FormatRfc3339(ms, Rfc3339Precision::kSeconds); }
std::string Millis(int64_t ms) { return FormatRfc3339(ms, Rfc3339Precision::kMillis); }

int64_t Ms(const char* rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << rfc3339 << error;
  return absl::ToUnixMillis(t);
}

TEST(FormatRfc3339, TheEpoch) {
  EXPECT_EQ(Seconds(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(Millis(0), "1970-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, SecondsDropTheMillisecondsAndMillisKeepThem) {
  EXPECT_EQ(Seconds(1714564800123), "2024-05-01T12:00:00Z");
  EXPECT_EQ(Millis(1714564800123), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(Millis(1714564800007), "2024-05-01T12:00:00.007Z");
  EXPECT_EQ(Seconds(1714564800999), "2024-05-01T12:00:00Z");  // truncated, not rounded
}

TEST(FormatRfc3339, LeapDaysAndCenturies) {
  EXPECT_EQ(Seconds(Ms("2024-02-29T23:59:59Z")), "2024-02-29T23:59:59Z");
  EXPECT_EQ(Seconds(Ms("2024-02-29T23:59:59Z") + 1000), "2024-03-01T00:00:00Z");
  EXPECT_EQ(Seconds(Ms("2000-02-29T00:00:00Z")), "2000-02-29T00:00:00Z");
  EXPECT_EQ(Seconds(Ms("1900-02-28T00:00:00Z") + 86'400'000), "1900-03-01T00:00:00Z");
  EXPECT_EQ(Millis(Ms("1999-12-31T23:59:59.999Z")), "1999-12-31T23:59:59.999Z");
  EXPECT_EQ(Millis(Ms("1999-12-31T23:59:59.999Z") + 1), "2000-01-01T00:00:00.000Z");
}

TEST(FormatRfc3339, BeforeTheEpochRoundsTowardThePast) {
  EXPECT_EQ(Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(Seconds(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(Seconds(-86'400'000), "1969-12-31T00:00:00Z");
}

TEST(FormatRfc3339, YearsBelow1000HaveFourDigits) {
  EXPECT_EQ(Seconds(Ms("0999-01-02T03:04:05Z")), "0999-01-02T03:04:05Z");
  EXPECT_EQ(Seconds(Ms("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00Z");
  EXPECT_EQ(Seconds(Ms("0000-03-01T00:00:00Z")), "0000-03-01T00:00:00Z");
}

TEST(FormatRfc3339, YearsOutside0To9999AreWrittenAsTheirNumber) {
  EXPECT_EQ(Millis(Ms("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(Seconds(Ms("9999-12-31T23:59:59.999Z") + 1), "10000-01-01T00:00:00Z");
  EXPECT_EQ(Seconds(Ms("-0001-01-01T00:00:00Z")), "-1-01-01T00:00:00Z");
}

TEST(FormatRfc3339, AgreesWithAbslFormatTimeFromYear1000To9999) {
  const int64_t first = Ms("1000-01-01T00:00:00Z");
  const int64_t last = Ms("9999-12-31T23:59:59.999Z");
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> instant(first, last);
  for (int i = 0; i < 100000; ++i) {
    const int64_t ms = i < 2 ? (i == 0 ? first : last) : instant(random);
    const absl::Time t = absl::FromUnixMillis(ms);
    ASSERT_EQ(Seconds(ms), absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone())) << ms;
    ASSERT_EQ(Millis(ms), absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone())) << ms;
  }
}

}  // namespace
}  // namespace busbar::base
