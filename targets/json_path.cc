// JSON paths of InputPath and InputPathsMap: a hand-written parser for EventBridge's subset and
// a recursive evaluator over a simdjson DOM.
#include "targets/json_path.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"

namespace busbar::targets::internal {
namespace {

constexpr size_t kMaxPathChars = 256;

// Characters of a dot-notation name: EventBridge documents letters, digits, dashes, underscores
// and forward slashes; UTF-8 bytes (>= 0x80) are let through for non-ASCII keys.
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '/' || static_cast<unsigned char>(c) >= 0x80;
}

absl::Status Unsupported(std::string_view text, size_t at, std::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("\"", std::string(text), "\" is not a supported JSON path: ", std::string(what),
                   " at character ", at + 1, " (supported: $, .name, [N], .*, [*])"));
}

void Collect(const JsonPath& path, size_t step, simdjson::dom::element element,
             std::vector<simdjson::dom::element>* out) {
  if (step == path.steps.size()) {
    out->push_back(element);
    return;
  }
  const PathStep& s = path.steps[step];
  switch (s.kind) {
    case PathStep::Kind::kKey: {
      simdjson::dom::object object;
      simdjson::dom::element child;
      if (element.get_object().get(object) == simdjson::SUCCESS &&
          object.at_key(s.key).get(child) == simdjson::SUCCESS) {
        Collect(path, step + 1, child, out);
      }
      return;
    }
    case PathStep::Kind::kIndex: {
      simdjson::dom::array array;
      simdjson::dom::element child;
      if (element.get_array().get(array) == simdjson::SUCCESS &&
          array.at(s.index).get(child) == simdjson::SUCCESS) {
        Collect(path, step + 1, child, out);
      }
      return;
    }
    case PathStep::Kind::kWildcard: {
      simdjson::dom::object object;
      simdjson::dom::array array;
      if (element.get_object().get(object) == simdjson::SUCCESS) {
        for (simdjson::dom::key_value_pair field : object)
          Collect(path, step + 1, field.value, out);
      } else if (element.get_array().get(array) == simdjson::SUCCESS) {
        for (simdjson::dom::element child : array) Collect(path, step + 1, child, out);
      }
      return;
    }
  }
}

}  // namespace

absl::StatusOr<JsonPath> ParseJsonPath(std::string_view text, bool bracket_keys) {
  if (size_t chars = Utf8Chars(text); chars > kMaxPathChars) {
    return absl::InvalidArgumentError(absl::StrCat("JSON path is ", chars, " characters; at most ",
                                                   kMaxPathChars, " are allowed"));
  }
  if (!text.starts_with('$')) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", std::string(text), "\" is not a JSON path: it must start with $"));
  }
  JsonPath path;
  path.text = std::string(text);
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      size_t start = ++i;
      if (i < text.size() && text[i] == '*') {
        path.steps.push_back({PathStep::Kind::kWildcard, "", 0});
        path.has_wildcard = true;
        ++i;
        continue;
      }
      while (i < text.size() && IsNameChar(text[i])) ++i;
      if (i == start) return Unsupported(text, start, "expected a name after '.'");
      path.steps.push_back({PathStep::Kind::kKey, std::string(text.substr(start, i - start)), 0});
      continue;
    }
    if (text[i] != '[') return Unsupported(text, i, "unexpected character");
    size_t open = i++;
    if (i < text.size() && text[i] == '*') {
      ++i;
      path.steps.push_back({PathStep::Kind::kWildcard, "", 0});
      path.has_wildcard = true;
    } else if (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      size_t index = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (index > (SIZE_MAX - 9) / 10) return Unsupported(text, open, "index too large");
        index = index * 10 + static_cast<size_t>(text[i] - '0');
        ++i;
      }
      path.steps.push_back({PathStep::Kind::kIndex, "", index});
    } else if (i < text.size() && (text[i] == '\'' || text[i] == '"')) {
      if (!bracket_keys) {
        return Unsupported(text, open, "bracket notation (InputPathsMap requires dot notation)");
      }
      char quote = text[i++];
      size_t start = i;
      while (i < text.size() && text[i] != quote) {
        if (text[i] == '\\') return Unsupported(text, i, "escapes in bracketed keys");
        ++i;
      }
      if (i == text.size()) return Unsupported(text, open, "unterminated quoted key");
      path.steps.push_back({PathStep::Kind::kKey, std::string(text.substr(start, i - start)), 0});
      ++i;  // the closing quote
    } else {
      return Unsupported(text, open, "expected an index, * or a quoted key after '['");
    }
    if (i >= text.size() || text[i] != ']') return Unsupported(text, i, "expected ']'");
    ++i;
  }
  return path;
}

PathValue Evaluate(const JsonPath& path, simdjson::dom::element root,
                   std::string_view minified_root) {
  PathValue value;
  if (path.steps.empty()) {
    value.kind = PathValue::Kind::kJson;
    value.text = std::string(minified_root);
    return value;
  }
  std::vector<simdjson::dom::element> matches;
  Collect(path, 0, root, &matches);
  if (path.has_wildcard) {
    value.kind = PathValue::Kind::kJson;
    value.text.push_back('[');  // (not = "[": GCC 12 -Wrestrict false positive)
    for (size_t i = 0; i < matches.size(); ++i) {
      if (i > 0) value.text += ',';
      AppendJson(matches[i], &value.text);
    }
    value.text += ']';
    return value;
  }
  if (matches.empty()) return value;
  std::string_view s;
  if (matches[0].get_string().get(s) == simdjson::SUCCESS) {
    value.kind = PathValue::Kind::kString;
    value.text = std::string(s);
  } else {
    value.kind = PathValue::Kind::kJson;
    AppendJson(matches[0], &value.text);
  }
  return value;
}

void AppendJson(simdjson::dom::element element, std::string* out) {
  std::string_view s;
  if (element.get_string().get(s) == simdjson::SUCCESS) {
    base::AppendJsonString(s, out);
    return;
  }
  simdjson::dom::object object;
  if (element.get_object().get(object) == simdjson::SUCCESS) {
    *out += '{';
    bool first = true;
    for (simdjson::dom::key_value_pair field : object) {
      if (!first) *out += ',';
      first = false;
      base::AppendJsonString(field.key, out);
      *out += ':';
      AppendJson(field.value, out);
    }
    *out += '}';
    return;
  }
  simdjson::dom::array array;
  if (element.get_array().get(array) == simdjson::SUCCESS) {
    *out += '[';
    bool first = true;
    for (simdjson::dom::element child : array) {
      if (!first) *out += ',';
      first = false;
      AppendJson(child, out);
    }
    *out += ']';
    return;
  }
  *out += simdjson::minify(element);  // number, true, false, null
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace busbar::targets::internal
