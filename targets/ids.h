// Internal to busbar::targets: identifiers and digests of queue messages — uuid v4 message ids
// (base::NewUuidV4), unguessable receipt tokens, and the MD5 of a body as SQS reports it
// (MD5OfBody, lower-case hex). Thread-safe: each thread uses its own random generator seeded
// from the OS.
#pragma once

#include <string>
#include <string_view>

#include "matcher/base/base.h"

namespace busbar::targets {

// A random (version 4) UUID in its canonical 36-character lower-case form: the project's one
// generator, base::NewUuidV4, under the name the targets and the daemon use.
using ::busbar::base::NewUuidV4;

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string RandomHex(int bytes);

// The MD5 digest (RFC 1321) of `data` as 32 lower-case hex characters.
std::string Md5Hex(std::string_view data);

}  // namespace busbar::targets
