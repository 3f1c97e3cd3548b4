// Internal to bus/config: character checks for what goes into an HTTP request
// (header names and values, query parameters, path values), shared by the
// target and connection checks. Pure functions; thread-safe.
#pragma once

#include <algorithm>
#include <string_view>

namespace busbar::config::internal {

// An HTTP token (RFC 9110), as header names are: 1 or more of A-Z a-z 0-9 and
// !#$%&'*+-.^_`|~
inline bool IsHttpToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

// Printable ASCII or tab, as header values must be (no CR or LF to split a header).
inline bool IsHeaderValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c == '\t' || (c >= 0x20 && c < 0x7f); });
}

// Any C0 control character or DEL.
inline bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return (c >= 0 && c < 0x20) || c == 0x7f; });
}

}  // namespace busbar::config::internal
