// Recursive-descent JSON parser for patterns; see json_value.h.
#include "matcher/json_value.h"

#include "absl/strings/str_cat.h"
#include "matcher/text.h"

namespace busbar::matcher::internal {
namespace {

class Parser {
 public:
  Parser(std::string_view s, int max_depth) : s_(s), max_depth_(max_depth) {}

  absl::StatusOr<JsonValue> Run() {
    JsonValue v;
    SkipWs();
    if (!ParseValue(&v, 0)) return Error();
    SkipWs();
    if (pos_ != s_.size()) {
      error_ = "unexpected text after the JSON value";
      return Error();
    }
    return v;
  }

 private:
  absl::Status Error() const {
    return absl::InvalidArgumentError(absl::StrCat("malformed JSON at byte ", pos_, ": ", error_));
  }

  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Fail(const char* why) {
    error_ = why;
    return false;
  }

  bool ParseString(std::string* out) {
    ++pos_;  // opening quote
    size_t start = pos_;
    bool escaped = false;
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') break;
      if (c < 0x20) return Fail("control character in string");
      if (c == '\\') {
        escaped = true;
        ++pos_;
      }
      ++pos_;
    }
    if (pos_ >= s_.size()) return Fail("unterminated string");
    std::string_view body = s_.substr(start, pos_ - start);
    ++pos_;
    if (!escaped) {
      out->assign(body);
      return true;
    }
    const char* err = nullptr;
    if (!UnescapeJsonString(body, out, &err)) {
      pos_ = start;
      return Fail(err);
    }
    return true;
  }

  bool ParseValue(JsonValue* v, int depth) {
    if (pos_ >= s_.size()) return Fail("unexpected end of input");
    char c = s_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) return Fail("nesting too deep");
      ++pos_;
      SkipWs();
      char close = c == '{' ? '}' : ']';
      v->type = c == '{' ? JsonValue::Type::kObject : JsonValue::Type::kArray;
      if (pos_ < s_.size() && s_[pos_] == close) {
        ++pos_;
        return true;
      }
      while (true) {
        SkipWs();
        if (c == '{') {
          if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected a string key");
          std::string key;
          if (!ParseString(&key)) return false;
          SkipWs();
          if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':' after key");
          ++pos_;
          SkipWs();
          v->members.push_back({std::move(key), JsonValue()});
          if (!ParseValue(&v->members.back().second, depth + 1)) return false;
        } else {
          v->items.emplace_back();
          if (!ParseValue(&v->items.back(), depth + 1)) return false;
        }
        SkipWs();
        if (pos_ >= s_.size()) return Fail("unexpected end of input");
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == close) {
          ++pos_;
          return true;
        }
        return Fail(c == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
    if (c == '"') {
      v->type = JsonValue::Type::kString;
      return ParseString(&v->text);
    }
    auto literal = [&](std::string_view word) {
      if (s_.substr(pos_, word.size()) != word) return false;
      pos_ += word.size();
      return true;
    };
    if (c == 't' || c == 'f' || c == 'n') {
      if (literal("true")) {
        v->type = JsonValue::Type::kBool;
        v->boolean = true;
        return true;
      }
      if (literal("false")) {
        v->type = JsonValue::Type::kBool;
        return true;
      }
      if (literal("null")) return true;
      return Fail("invalid literal");
    }
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '.' || s_[pos_] == 'e' ||
            s_[pos_] == 'E' || (s_[pos_] >= '0' && s_[pos_] <= '9'))) {
      ++pos_;
    }
    std::string_view num = s_.substr(start, pos_ - start);
    if (num.empty()) return Fail("unexpected character");
    if (!IsJsonNumber(num)) {
      pos_ = start;
      return Fail("invalid number");
    }
    v->type = JsonValue::Type::kNumber;
    v->text.assign(num);
    return true;
  }

  std::string_view s_;
  int max_depth_;
  size_t pos_ = 0;
  const char* error_ = "";
};

}  // namespace

const char* JsonValue::TypeName() const {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "a boolean";
    case Type::kNumber:
      return "a number";
    case Type::kString:
      return "a string";
    case Type::kArray:
      return "an array";
    case Type::kObject:
      return "an object";
  }
  return "?";
}

absl::StatusOr<JsonValue> ParseJson(std::string_view text, int max_depth) {
  return Parser(text, max_depth).Run();
}

}  // namespace busbar::matcher::internal
