// Internal to bus/: what every `busbar` command shares — reading files and JSON arguments,
// reading options, and reporting usage errors. No gRPC here, so the match tool links it
// without the daemon. Pure functions, thread-safe (the error printers write to stderr).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace busbar::cli {

// The arguments of one command, after the command name.
using Args = std::vector<std::string_view>;

// Exit status of every command for bad usage, unreadable input or an invalid pattern.
inline constexpr int kExitUsage = 2;

// The whole content of the file at `path`. NotFound, PermissionDenied etc. with
// the path and the system's reason.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// A command-line JSON argument: `@path` is the content of that file, anything
// else is the argument itself.
absl::StatusOr<std::string> ReadJsonArg(std::string_view arg);

// Appends `s` to `out` as a JSON string literal (quotes included), escaping
// quotes, backslashes and control characters. Other bytes are copied as they are.
void AppendJsonString(std::string_view s, std::string& out);

// Matches args[*i] against the value option `name`, given as `name VALUE` or
// `name=VALUE`. Returns false if args[*i] is some other argument. Otherwise
// stores the value in `*value`, leaves *i on the last argument used and returns
// true. InvalidArgument if the value is missing.
absl::StatusOr<bool> TakeOptionValue(const Args& args, size_t* i, std::string_view name,
                                     std::string_view* value);

// `unix_seconds` as RFC 3339 in UTC, to the second: "2024-05-01T12:00:00Z".
std::string Rfc3339(int64_t unix_seconds);

// Prints the status message on stderr; returns kExitUsage.
int PrintError(const absl::Status& status);

// Prints "busbar <command>: <message>" and a pointer to the command's help on
// stderr; returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);

}  // namespace busbar::cli
