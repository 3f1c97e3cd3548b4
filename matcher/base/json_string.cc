// JSON string literals; see base.h. One 256-entry table says, for each byte, whether it is
// copied (0), escaped by name (the letter after the backslash) or as \u00XX ('u'); the loop
// copies the runs between escapes with one append each.
#include <array>
#include <string>
#include <string_view>

#include "matcher/base/base.h"

namespace busbar::base {
namespace {

constexpr std::array<char, 256> kEscape = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = 'u';
  table['"'] = '"';
  table['\\'] = '\\';
  table['\b'] = 'b';
  table['\f'] = 'f';
  table['\n'] = 'n';
  table['\r'] = 'r';
  table['\t'] = 't';
  return table;
}();

constexpr char kHex[] = "0123456789abcdef";

}  // namespace

void AppendJsonEscaped(std::string_view s, std::string* out) {
  const char* run = s.data();  // the first byte not yet appended
  const char* const end = s.data() + s.size();
  for (const char* p = run; p != end; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    const char escape = kEscape[c];
    if (escape == 0) continue;
    out->append(run, p);
    run = p + 1;
    if (escape != 'u') {
      const char named[2] = {'\\', escape};
      out->append(named, 2);
    } else {
      const char hex[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
      out->append(hex, 6);
    }
  }
  out->append(run, end);
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  AppendJsonEscaped(s, out);
  out->push_back('"');
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 100;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  out += "'";
  return out;
}

}  // namespace busbar::base
