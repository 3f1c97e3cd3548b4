// `busbar test-pattern`: EventBridge's TestEventPattern on the command line.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "bus/cli/commands.h"
#include "matcher/matcher.h"

namespace busbar::cli {

void PrintTestPatternHelp(std::FILE* out) {
  std::fputs(R"(Usage: busbar test-pattern [--strict-eventbridge] PATTERN EVENT

Tests whether the event pattern PATTERN matches the event EVENT, as
EventBridge's TestEventPattern does. Each argument is JSON text, or @path
to read it from a file.

Prints 'true' and exits 0 if it matches, prints 'false' and exits 1 if not.
An invalid pattern or event is reported on stderr with exit status 2.

Options:
  --strict-eventbridge  reject the RE2 'regexp' extension
  -h, --help            show this help
)",
             out);
}

int RunTestPattern(const Args& args) {
  absl::StatusOr<Options> o = ReadOptions(args, 0, {}, {"--strict-eventbridge", "--help", "-h"});
  if (!o.ok()) return UsageError("test-pattern", std::string(o.status().message()));
  if (o->Has("--help") || o->Has("-h")) {
    PrintTestPatternHelp(stdout);
    return 0;
  }
  matcher::Options options;
  if (o->Has("--strict-eventbridge")) options.allow_regexp = false;
  const std::vector<std::string>& positional = o->positional;
  if (positional.size() != 2) return UsageError("test-pattern", "needs PATTERN and EVENT");

  absl::StatusOr<std::string> pattern = ReadJsonArg(positional[0]);
  if (!pattern.ok()) return PrintError(pattern.status());
  absl::StatusOr<std::string> event = ReadJsonArg(positional[1]);
  if (!event.ok()) return PrintError(event.status());
  // The pattern's message already reads "Event pattern is not valid. Reason: ...".
  absl::StatusOr<bool> matches = matcher::TestEventPattern(*pattern, *event, options);
  if (!matches.ok()) return PrintError(matches.status());
  std::puts(*matches ? "true" : "false");
  return *matches ? 0 : 1;
}

}  // namespace busbar::cli
