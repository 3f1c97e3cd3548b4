// Text helpers; see text.h.
#include "matcher/text.h"

#include <arpa/inet.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <system_error>

namespace busbar::matcher::internal {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex4(std::string_view s, size_t i, uint32_t* cp) {
  if (i + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexValue(s[i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  *cp = v;
  return true;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decimal form of a number: sign, significant digits without leading/trailing
// zeros, and the exponent of the last digit. Zero has no digits. Numbers with
// more significant digits than fit are flagged: no double prints that long.
struct Decimal {
  bool negative = false;
  bool too_long = false;
  int ndigits = 0;
  char digits[24];
  long exponent = 0;

  bool operator==(const Decimal& o) const {
    return !too_long && !o.too_long && negative == o.negative && ndigits == o.ndigits &&
           exponent == o.exponent && std::memcmp(digits, o.digits, ndigits) == 0;
  }
};

void ToDecimal(std::string_view raw, Decimal* d) {
  size_t i = 0;
  if (i < raw.size() && raw[i] == '-') {
    d->negative = true;
    ++i;
  }
  long frac_digits = 0;
  long dropped_zeros = 0;  // zeros held back until a non-zero digit follows
  bool in_frac = false;
  for (; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '.') {
      in_frac = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (in_frac) ++frac_digits;
    if (c == '0') {
      if (d->ndigits > 0) ++dropped_zeros;
      continue;
    }
    if (d->ndigits + dropped_zeros + 1 > static_cast<long>(sizeof(d->digits))) {
      d->too_long = true;
      return;
    }
    for (; dropped_zeros > 0; --dropped_zeros) d->digits[d->ndigits++] = '0';
    d->digits[d->ndigits++] = c;
  }
  long exp = 0;
  if (i < raw.size() && (raw[i] == 'e' || raw[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < raw.size() && (raw[i] == '+' || raw[i] == '-')) neg = raw[i++] == '-';
    for (; i < raw.size(); ++i) {
      if (exp < 100000) exp = exp * 10 + (raw[i] - '0');
    }
    if (neg) exp = -exp;
  }
  d->exponent = exp - frac_digits + dropped_zeros;
  if (d->ndigits == 0) {
    d->negative = false;
    d->exponent = 0;
  }
}

uint32_t SimpleFold(uint32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (c < 0x100) {
    if (c == 0xB5) return 0x3BC;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
    return c;
  }
  if (c < 0x180) {
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149) return c;
    if (c == 0x178) return 0xFF;
    if (c == 0x17F) return 's';
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x370 && c < 0x400) {
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;
    if (c == 0x3C2) return 0x3C3;
    return c;
  }
  if (c >= 0x400 && c < 0x430) return c < 0x410 ? c + 80 : c + 32;
  return c;
}

}  // namespace

bool UnescapeJsonString(std::string_view s, std::string* out, const char** error) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && s[j] != '\\') ++j;
    out->append(s.data() + i, j - i);
    if (j == s.size()) break;
    if (j + 1 >= s.size()) {
      *error = "unterminated escape in string";
      return false;
    }
    char e = s[j + 1];
    i = j + 2;
    switch (e) {
      case '"':
        out->push_back('"');
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '/':
        out->push_back('/');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'u': {
        uint32_t cp;
        if (!ReadHex4(s, i, &cp)) {
          *error = "invalid \\u escape in string";
          return false;
        }
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo;
          if (i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u' && ReadHex4(s, i + 2, &lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            *error = "lone surrogate in \\u escape";
            return false;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          *error = "lone surrogate in \\u escape";
          return false;
        }
        AppendUtf8(cp, out);
        break;
      }
      default:
        *error = "invalid escape in string";
        return false;
    }
  }
  return true;
}

bool IsJsonNumber(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == n;
}

bool ParseDouble(std::string_view raw, double* value) {
  auto r = std::from_chars(raw.data(), raw.data() + raw.size(), *value);
  if (r.ptr != raw.data() + raw.size()) return false;
  if (r.ec == std::errc()) return true;
  if (r.ec != std::errc::result_out_of_range) return false;
  // Beyond the double range: strtod gives the saturated value (+-inf, or 0 and
  // subnormals for underflow). JSON numbers contain no locale-dependent text.
  std::string copy(raw);
  *value = std::strtod(copy.c_str(), nullptr);
  return true;
}

bool RoundTrips(std::string_view raw, double value) {
  if (!std::isfinite(value)) return false;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), value);
  if (r.ec != std::errc()) return false;
  Decimal a, b;
  ToDecimal(raw, &a);
  ToDecimal(std::string_view(buf, r.ptr - buf), &b);
  return a == b;
}

uint64_t NumberKey(double value) {
  if (value == 0) value = 0;  // folds -0 into +0
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

void FoldCase(std::string_view in, std::string* out) {
  size_t i = 0, n = in.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c));
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t len = 0;
    if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F;
      len = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F;
      len = 3;
    } else if ((c & 0xF8) == 0xF0) {
      cp = c & 0x07;
      len = 4;
    }
    bool ok = len != 0 && i + len <= n;
    for (size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(in[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (len == 2 || (len == 3 && cp < 0x800)) {
      AppendUtf8(SimpleFold(cp), out);
    } else {
      out->append(in.data() + i, len);
    }
    i += len;
  }
}

bool ParseIp(std::string_view text, IpAddress* out) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  *out = IpAddress();
  if (text.find(':') != std::string_view::npos) {
    out->v6 = true;
    return inet_pton(AF_INET6, buf, out->bytes) == 1;
  }
  return inet_pton(AF_INET, buf, out->bytes) == 1;
}

void MaskAddress(IpAddress* addr, int prefix_len) {
  int total = addr->v6 ? 128 : 32;
  for (int bit = prefix_len; bit < total; ++bit) {
    addr->bytes[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  }
}

bool ParseCidr(std::string_view text, IpAddress* base, int* prefix_len) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  if (!ParseIp(text.substr(0, slash), base)) return false;
  std::string_view len = text.substr(slash + 1);
  if (len.empty() || len.size() > 3) return false;
  int v = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  if (len.size() > 1 && len[0] == '0') return false;
  if (v > (base->v6 ? 128 : 32)) return false;
  *prefix_len = v;
  MaskAddress(base, v);
  return true;
}

}  // namespace busbar::matcher::internal
