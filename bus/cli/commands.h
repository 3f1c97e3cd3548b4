// Internal to bus/: the `busbar` command-line commands and the helpers they share.
//
// Each command lives in its own cli_<command>.cc and is a function from its
// arguments (everything after the command name) to the process exit status;
// main.cc only dispatches. Commands print results on stdout and errors on
// stderr, and use exit status 2 for usage errors, unreadable files and invalid
// patterns. Nothing here is thread-safe beyond what each command documents.
#pragma once

#include <cstdint>
#include <cstdio>
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

// `busbar test-pattern [--strict-eventbridge] PATTERN EVENT`. Exit 0 if the
// pattern matches the event, 1 if not, 2 on error.
int RunTestPattern(const Args& args);
void PrintTestPatternHelp(std::FILE* out);

// `busbar match --patterns FILE [options] [INPUT]`. Exit 0, or 1 if some input
// line was not a valid event, or 2 on error.
int RunMatch(const Args& args);
void PrintMatchHelp(std::FILE* out);

// `busbar serve [options]`: the daemon in the foreground. Exit 0 after SIGTERM
// or SIGINT, 1 if it cannot start, 2 on bad usage.
int RunServe(const Args& args);
void PrintServeHelp(std::FILE* out);

// Client commands against a running daemon (--endpoint, or BUSBAR_ENDPOINT,
// default 127.0.0.1:4195): `busbar put-events` (cli_client.cc), `busbar
// queues …` (cli_queues.cc), `busbar rules …` including `rules targets …`
// (cli_rules.cc), `busbar buses …` (cli_buses.cc), `busbar schemas …` including `schemas
// registries …` and `schemas discoverers …` (cli_schemas.cc, cli_schemas_registries.cc). Exit
// 0, 1 when the daemon refused some of the request (printed), 2 on bad usage or when the daemon
// is unreachable.
int RunPutEvents(const Args& args);
void PrintPutEventsHelp(std::FILE* out);
int RunQueues(const Args& args);
void PrintQueuesHelp(std::FILE* out);
int RunRules(const Args& args);
void PrintRulesHelp(std::FILE* out);
int RunBuses(const Args& args);
void PrintBusesHelp(std::FILE* out);
int RunSchemas(const Args& args);
void PrintSchemasHelp(std::FILE* out);
int RunFunctions(const Args& args);  // cli_functions.cc
void PrintFunctionsHelp(std::FILE* out);

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
