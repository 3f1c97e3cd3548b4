// Internal to busbar::targets HTTP targets (http_validate.cc, http_request.cc, http_target.cc):
// the pieces of an InvocationEndpoint and the header-name rules shared by validation and
// request building. Stateless functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "targets/http_target.h"

namespace busbar::targets::http_internal {

// Debian's absl::string_view is its own type, not std::string_view: the same characters as one,
// for absl's string functions.
inline absl::string_view AbslView(std::string_view text) { return {text.data(), text.size()}; }

// An endpoint split as "<scheme>://<authority><path>?<query>#<fragment>". Views into the text.
struct EndpointParts {
  std::string_view scheme;     // "http" or "https", as written (case-insensitive)
  std::string_view authority;  // "host", "host:port", "[::1]:port"
  std::string_view path;       // "" or starting with '/'
  std::string_view query;      // without '?'; may be empty
  bool has_query = false;
};

// Splits `endpoint`; nullopt unless it starts with http:// or https:// (any case).
std::optional<EndpointParts> SplitEndpoint(std::string_view endpoint);

// The number of `*` wildcards in the endpoint's path.
size_t CountWildcards(const EndpointParts& parts);

// RFC 9110 token: 1+ of ! # $ % & ' * + - . ^ _ ` | ~ digits letters.
bool IsHttpToken(std::string_view text);

// Whether `text` holds an ASCII control character (0x00-0x1F, 0x7F).
bool HasControlCharacter(std::string_view text);

// Printable ASCII or tab, as header values must be (no CR or LF to split a header).
bool IsHeaderValue(std::string_view text);

// The outcome of a call that got a response: `status` with its `reason` phrase (empty: the
// standard phrase), the first bytes of the body, the Retry-After header ("" when absent),
// `endpoint` (the destination's InvocationEndpoint, named in the message) and `now` (for an
// HTTP-date Retry-After). The duration is left for the caller.
HttpOutcome OutcomeForResponse(int status, std::string_view reason, std::string_view body_prefix,
                               std::string_view retry_after, std::string_view endpoint,
                               absl::Time now);

}  // namespace busbar::targets::http_internal
