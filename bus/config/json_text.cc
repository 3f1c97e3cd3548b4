// Internal to bus/config. CheckJson uses simdjson's DOM parser, which checks
// the whole text (grammar, UTF-8, nesting) without keeping a tree we'd drop.
#include "bus/config/json_text.h"

#include <simdjson.h>

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "matcher/base/base.h"

namespace busbar::config::internal {

absl::Status CheckJson(std::string_view text) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text.data(), text.size());
  simdjson::error_code error = parser.parse(padded).error();
  if (error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(simdjson::error_message(error));
  }
  return absl::OkStatus();
}

std::string MinifyJson(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  bool in_string = false;
  bool escaped = false;
  for (char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
      out += c;
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      out += c;
    }
  }
  return out;
}

std::string Quote(std::string_view s) { return base::QuoteForMessage(s); }

}  // namespace busbar::config::internal
