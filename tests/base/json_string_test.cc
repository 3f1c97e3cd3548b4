// Tests of base::AppendJsonString and base::AppendJsonEscaped: the exact escapes, bytes copied
// as they are, and random strings read back unchanged by a JSON parser.
#include <random>
#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "matcher/base/base.h"
#include "simdjson.h"

namespace busbar::base {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(AppendJsonString, QuotesPlainText) {
  EXPECT_EQ(Quoted(""), R"("")");
  EXPECT_EQ(Quoted("aws.ec2"), R"("aws.ec2")");
}

TEST(AppendJsonString, EscapesQuoteAndBackslash) {
  EXPECT_EQ(Quoted(R"(say "hi" C:\temp)"), R"("say \"hi\" C:\\temp")");
}

TEST(AppendJsonString, EscapesBFNRTByName) { EXPECT_EQ(Quoted("\b\f\n\r\t"), R"("\b\f\n\r\t")"); }

TEST(AppendJsonString, EscapesOtherControlCharactersAsLowerCaseHex) {
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') continue;
    static constexpr char kHex[] = "0123456789abcdef";
    const char expected[] = {'"', '\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15], '"', '\0'};
    EXPECT_EQ(Quoted(std::string(1, static_cast<char>(c))), expected) << c;
  }
  EXPECT_EQ(Quoted(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(Quoted("\x1f"), R"("\u001f")");
}

TEST(AppendJsonString, CopiesDelUtf8AndInvalidUtf8) {
  EXPECT_EQ(Quoted("\x7f"), "\"\x7f\"");
  EXPECT_EQ(Quoted("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80\"");
  EXPECT_EQ(Quoted("\xff\xc3"), "\"\xff\xc3\"");
}

TEST(AppendJsonString, EscapesAtEveryPositionOfALongRun) {
  const std::string plain(100, 'x');
  for (size_t at : {size_t{0}, size_t{1}, size_t{50}, size_t{99}}) {
    std::string s = plain;
    s[at] = '\n';
    std::string expected = "\"";
    expected.append(plain, 0, at).append("\\n").append(plain, at + 1).append("\"");
    EXPECT_EQ(Quoted(s), expected) << at;
  }
}

TEST(AppendJsonString, AppendsToWhatIsThere) {
  std::string out = "{\"k\":";
  AppendJsonString("v\"", &out);
  out += '}';
  EXPECT_EQ(out, R"({"k":"v\""})");
}

TEST(AppendJsonEscaped, WritesNoQuotes) {
  std::string out = "<";
  AppendJsonEscaped("a\"b\\c\n\x01", &out);
  EXPECT_EQ(out, R"(<a\"b\\c\n\u0001)");
  std::string empty;
  AppendJsonEscaped("", &empty);
  EXPECT_EQ(empty, "");
}

// Strings of quotes, backslashes, every control character, ASCII and multi-byte UTF-8 parse
// back to themselves.
TEST(AppendJsonString, RoundTripsThroughAJsonParser) {
  std::vector<std::string> alphabet = {
      "\"", "\\", "/", "a", "Z", " ", "\x7f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
  for (int c = 0; c < 0x20; ++c) alphabet.emplace_back(1, static_cast<char>(c));
  std::mt19937 random(2024);
  simdjson::dom::parser parser;
  for (int round = 0; round < 2000; ++round) {
    std::string value;
    for (int n = random() % 40; n > 0; --n) value += alphabet[random() % alphabet.size()];
    const std::string json = Quoted(value);
    simdjson::padded_string padded(json);
    std::string_view parsed;
    ASSERT_EQ(parser.parse(padded).get(parsed), simdjson::SUCCESS) << json;
    EXPECT_EQ(parsed, value) << json;
  }
}

}  // namespace
}  // namespace busbar::base
