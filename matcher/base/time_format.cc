// RFC 3339 timestamps; see base.h. The civil date comes from the day number by Howard
// Hinnant's days-to-civil algorithm (proleptic Gregorian, exact for every int64 day), so no
// time zone lookup and no strftime buffer is needed; the digits are written into one string.
#include <cstdint>
#include <cstring>
#include <string>

#include "matcher/base/base.h"

namespace busbar::base {
namespace {

constexpr int64_t kMillisPerDay = 86'400'000;

// Floor division and its remainder (0 <= remainder < divisor) for a positive divisor.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); }

struct CivilDate {
  int64_t year;
  int month;  // 1-12
  int day;    // 1-31
};

// The date of `days` after 1970-01-01.
CivilDate DaysToCivil(int64_t days) {
  const int64_t z = days + 719468;  // days since 0000-03-01
  const int64_t era = FloorDiv(z, 146097);
  const int64_t day_of_era = z - era * 146097;  // [0, 146096]
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11], 0 is March
  CivilDate date;
  date.day = static_cast<int>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
  date.month =
      static_cast<int>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
  date.year = year_of_era + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

void PutDigits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::string FormatRfc3339(int64_t unix_millis, Rfc3339Precision precision) {
  const int64_t days = FloorDiv(unix_millis, kMillisPerDay);
  const int64_t millis_of_day = unix_millis - days * kMillisPerDay;
  const CivilDate date = DaysToCivil(days);
  const int seconds_of_day = static_cast<int>(millis_of_day / 1000);

  // "-MM-DDTHH:MM:SS" then ".mmm" and "Z".
  char tail[20];
  tail[0] = '-';
  PutDigits(tail + 1, date.month, 2);
  tail[3] = '-';
  PutDigits(tail + 4, date.day, 2);
  tail[6] = 'T';
  PutDigits(tail + 7, seconds_of_day / 3600, 2);
  tail[9] = ':';
  PutDigits(tail + 10, seconds_of_day / 60 % 60, 2);
  tail[12] = ':';
  PutDigits(tail + 13, seconds_of_day % 60, 2);
  size_t tail_size = 15;
  if (precision == Rfc3339Precision::kMillis) {
    tail[tail_size] = '.';
    PutDigits(tail + tail_size + 1, static_cast<int>(millis_of_day % 1000), 3);
    tail_size += 4;
  }
  tail[tail_size++] = 'Z';

  if (date.year < 0 || date.year > 9999) {
    return std::to_string(date.year).append(tail, tail_size);
  }
  std::string out(4 + tail_size, '\0');
  PutDigits(out.data(), static_cast<int>(date.year), 4);
  std::memcpy(out.data() + 4, tail, tail_size);
  return out;
}

}  // namespace busbar::base
