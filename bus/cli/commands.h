// Internal to bus/: the commands of the `busbar` executable, which main.cc dispatches to.
//
// Each command is a function from its arguments (everything after the command name) to the
// process exit status: the offline match tool in bus/match/, `busbar serve` in
// bus/server/serve.cc, the client commands in bus/cli/. Commands print results on stdout and
// errors on stderr, and use exit status 2 (kExitUsage) for usage errors, unreadable files and
// invalid patterns. Built without the daemon (BUSBAR_BUILD_DAEMON=OFF), only the match tool's
// commands exist. Nothing here is thread-safe beyond what each command documents.
#pragma once

#include <cstdio>

#include "bus/cli/util.h"

namespace busbar::cli {

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
// default 127.0.0.1:4195), in bus/cli/: `busbar put-events` (put_events.cc), `busbar
// queues …` (queues.cc), `busbar rules …` including `rules targets …` (rules.cc),
// `busbar buses …` (buses.cc), `busbar schemas …` including `schemas registries …` and
// `schemas discoverers …` (schemas.cc, schemas_registries.cc), `busbar functions …`
// (functions.cc). Exit 0, 1 when the daemon refused some of the request (printed), 2 on bad
// usage or when the daemon is unreachable.
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
int RunFunctions(const Args& args);
void PrintFunctionsHelp(std::FILE* out);

}  // namespace busbar::cli
