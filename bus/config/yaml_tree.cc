// Internal to bus/config. yaml-cpp builds its node graph; Converter copies it
// into YamlNode values with 1-based positions, rejecting what a rule file never
// needs (tags, several documents, non-string keys) and bounding depth and size
// (aliases can make a small text expand exponentially). yaml-cpp throws; every
// call into it happens inside ParseYaml's try block.
#include "bus/config/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/json_text.h"
#include "matcher/base/base.h"

namespace busbar::config::internal {
namespace {

constexpr int kMaxDepth = 256;
constexpr size_t kMaxNodes = 1'000'000;

absl::Status ErrorAt(std::string_view file, int line, int column, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(std::string(file), ":", line, ":", column, ": ", std::string(what)));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of a `\uHHHH` escape starting at text[i] (the backslash), or -1.
int EscapedUnit(std::string_view text, size_t i) {
  if (i + 6 > text.size() || text[i] != '\\' || text[i + 1] != 'u') return -1;
  int unit = 0;
  for (size_t k = i + 2; k < i + 6; ++k) {
    int h = HexValue(text[k]);
    if (h < 0) return -1;
    unit = unit * 16 + h;
  }
  return unit;
}

// YAML's `\u` escapes are 16-bit with no surrogate pairs, so JSON's
// `\uD83D\uDE00` would be rejected; rewrite each pair as YAML's `\U0001F600`.
// Only for JSON text, where a backslash can only appear inside a string.
std::string RewriteSurrogatePairs(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t backslashes = 0;  // the run of backslashes just before i
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\\' && backslashes % 2 == 0) {
      int high = EscapedUnit(text, i);
      int low = EscapedUnit(text, i + 6);
      if (high >= 0xD800 && high <= 0xDBFF && low >= 0xDC00 && low <= 0xDFFF) {
        uint32_t cp = 0x10000 + ((static_cast<uint32_t>(high) - 0xD800) << 10) +
                      (static_cast<uint32_t>(low) - 0xDC00);
        static constexpr char kHex[] = "0123456789ABCDEF";
        out += "\\U";
        for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
        i += 12;
        backslashes = 0;
        continue;
      }
    }
    backslashes = text[i] == '\\' ? backslashes + 1 : 0;
    out += text[i];
    ++i;
  }
  return out;
}

bool LooksLikeJson(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t i = text.find_first_not_of(" \t\r\n");
  return i != std::string_view::npos && (text[i] == '{' || text[i] == '[');
}

class Converter {
 public:
  explicit Converter(std::string_view file) : file_(file) {}

  // Copies `in` into `out`. (line, column) is where to report a node that has
  // no position of its own.
  absl::Status Convert(const YAML::Node& in, int depth, int line, int column, YamlNode& out) {
    if (++nodes_ > kMaxNodes) {
      return ErrorAt(file_, line, column, "document too large (more than 1000000 nodes)");
    }
    YAML::Mark mark = in.Mark();
    out.line = mark.is_null() ? line : mark.line + 1;
    out.column = mark.is_null() ? column : mark.column + 1;
    if (depth > kMaxDepth) {
      return ErrorAt(file_, out.line, out.column,
                     absl::StrCat("nesting deeper than ", kMaxDepth, " levels"));
    }
    const std::string& tag = in.Tag();
    if (!tag.empty() && tag != "?" && tag != "!") {
      return ErrorAt(file_, out.line, out.column,
                     absl::StrCat("YAML tag '", tag,
                                  "' is not supported (values are taken literally; "
                                  "CloudFormation intrinsic functions are not evaluated)"));
    }
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = YamlNode::Kind::kNull;
        return absl::OkStatus();
      case YAML::NodeType::Scalar:
        out.kind = YamlNode::Kind::kScalar;
        out.scalar = in.Scalar();
        out.plain = tag != "!";
        return absl::OkStatus();
      case YAML::NodeType::Sequence:
        out.kind = YamlNode::Kind::kSequence;
        out.items.reserve(in.size());
        for (const YAML::Node& item : in) {
          out.items.emplace_back();
          absl::Status s = Convert(item, depth + 1, out.line, out.column, out.items.back());
          if (!s.ok()) return s;
        }
        return absl::OkStatus();
      case YAML::NodeType::Map:
        out.kind = YamlNode::Kind::kMapping;
        for (auto it = in.begin(); it != in.end(); ++it) {
          out.members.emplace_back();
          YamlMember& m = out.members.back();
          absl::Status s = Convert(it->first, depth + 1, out.line, out.column, m.key);
          if (!s.ok()) return s;
          if (!m.key.IsScalar()) {
            return ErrorAt(file_, m.key.line, m.key.column,
                           absl::StrCat("a mapping key must be a string, not ", m.key.KindName()));
          }
          s = Convert(it->second, depth + 1, m.key.line, m.key.column, m.value);
          if (!s.ok()) return s;
          // An empty value (`Name:`) is positioned by yaml-cpp at the next
          // token, often on the next line; the key is the better place.
          if (m.value.IsNull() && m.value.line != m.key.line) {
            m.value.line = m.key.line;
            m.value.column = m.key.column;
          }
        }
        return absl::OkStatus();
    }
    return ErrorAt(file_, out.line, out.column, "unexpected YAML node");
  }

 private:
  std::string_view file_;
  size_t nodes_ = 0;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Skips a run of digits from s[i]; returns how many.
size_t SkipDigits(std::string_view s, size_t& i) {
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - start;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  size_t int_start = i;
  size_t int_digits = SkipDigits(s, i);
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  return i == s.size();
}

// The YAML 1.2 core schema's int and float forms.
bool IsYamlNumber(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    for (char c : s.substr(2)) {
      if (s[1] == 'x' ? HexValue(c) < 0 : (c < '0' || c > '7')) return false;
    }
    return true;
  }
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::string_view rest = s.substr(i);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  size_t digits = SkipDigits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    digits += SkipDigits(s, i);
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  return i == s.size();
}

absl::Status AppendJson(const YamlNode& node, std::string_view file, std::string& out) {
  switch (node.kind) {
    case YamlNode::Kind::kNull:
      out += "null";
      return absl::OkStatus();
    case YamlNode::Kind::kScalar: {
      const std::string& s = node.scalar;
      if (node.plain) {
        if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) {
          out += "null";
          return absl::OkStatus();
        }
        if (s == "true" || s == "True" || s == "TRUE") {
          out += "true";
          return absl::OkStatus();
        }
        if (s == "false" || s == "False" || s == "FALSE") {
          out += "false";
          return absl::OkStatus();
        }
        if (IsJsonNumber(s)) {
          out += s;
          return absl::OkStatus();
        }
        if (IsYamlNumber(s)) {
          return ErrorAt(file, node.line, node.column,
                         absl::StrCat("number ", s,
                                      " is not valid JSON; write it as a JSON number, or "
                                      "quote it for a string"));
        }
      }
      base::AppendJsonString(s, &out);
      return absl::OkStatus();
    }
    case YamlNode::Kind::kSequence: {
      out += '[';
      for (size_t i = 0; i < node.items.size(); ++i) {
        if (i > 0) out += ',';
        absl::Status s = AppendJson(node.items[i], file, out);
        if (!s.ok()) return s;
      }
      out += ']';
      return absl::OkStatus();
    }
    case YamlNode::Kind::kMapping: {
      out += '{';
      for (size_t i = 0; i < node.members.size(); ++i) {
        if (i > 0) out += ',';
        base::AppendJsonString(node.members[i].key.scalar, &out);
        out += ':';
        absl::Status s = AppendJson(node.members[i].value, file, out);
        if (!s.ok()) return s;
      }
      out += '}';
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace

const char* YamlNode::KindName() const {
  switch (kind) {
    case Kind::kNull:
      return "null";
    case Kind::kScalar:
      return "a string";
    case Kind::kSequence:
      return "a sequence";
    case Kind::kMapping:
      return "a mapping";
  }
  return "?";
}

absl::StatusOr<YamlNode> ParseYaml(std::string_view text, std::string_view file_name) {
  std::string input = LooksLikeJson(text) ? RewriteSurrogatePairs(text) : std::string(text);
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(input);
    if (docs.empty()) {
      YamlNode empty;
      empty.line = 1;
      empty.column = 1;
      return empty;
    }
    if (docs.size() > 1) {
      YAML::Mark m = docs[1].Mark();
      return ErrorAt(file_name, m.is_null() ? 1 : m.line + 1, m.is_null() ? 1 : m.column + 1,
                     "a rule file holds one YAML document; this is a second one");
    }
    YamlNode root;
    Converter converter(file_name);
    absl::Status s = converter.Convert(docs[0], 0, 1, 1, root);
    if (!s.ok()) return s;
    return root;
  } catch (const YAML::DeepRecursion& e) {  // its own message is only "bad file"
    return ErrorAt(file_name, e.mark.line + 1, e.mark.column + 1, "syntax error: nesting too deep");
  } catch (const YAML::Exception& e) {
    int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    int column = e.mark.is_null() ? 1 : e.mark.column + 1;
    return ErrorAt(file_name, line, column, absl::StrCat("syntax error: ", e.msg));
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat(std::string(file_name), ": reading YAML failed: ", e.what()));
  }
}

absl::StatusOr<std::string> YamlToJson(const YamlNode& node, std::string_view file_name) {
  std::string out;
  absl::Status s = AppendJson(node, file_name, out);
  if (!s.ok()) return s;
  return out;
}

}  // namespace busbar::config::internal
