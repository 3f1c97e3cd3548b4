// `busbar match`: grep for events. Compiles a file of named event patterns
// once, then matches JSON events, one per line, from a file, a gzip file or
// stdin, printing the names of the matching rules for every event, or a count
// per rule. The matching itself is in batch_matcher.cc, the reading in
// line_reader.cc.
#include <simdjson.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bus/cli/commands.h"
#include "bus/match/batch_matcher.h"
#include "bus/match/line_reader.h"
#include "matcher/matcher.h"

namespace busbar::cli {
namespace {

// Input is read in blocks of this many bytes per thread.
constexpr size_t kBlockBytesPerThread = size_t{4} << 20;
constexpr int kMaxThreads = 256;

struct MatchFlags {
  bool help = false;
  std::string patterns_path;
  std::string input_path = "-";
  bool count = false;
  bool stats = false;
  bool validate = false;
  int threads = 1;
  matcher::Options options;
};

absl::StatusOr<MatchFlags> ParseFlags(const Args& args) {
  absl::StatusOr<Options> o =
      ReadOptions(args, 0, {"--patterns", "--threads"},
                  {"--count", "--stats", "--validate", "--strict-eventbridge", "--help", "-h"});
  if (!o.ok()) return o.status();
  MatchFlags flags;
  if (o->Has("--help") || o->Has("-h")) {
    flags.help = true;
    return flags;
  }
  flags.count = o->Has("--count");
  flags.stats = o->Has("--stats");
  flags.validate = o->Has("--validate");
  if (o->Has("--strict-eventbridge")) flags.options.allow_regexp = false;
  flags.patterns_path = o->Get("--patterns");
  if (!o->GetInt("--threads", &flags.threads) || flags.threads < 1 || flags.threads > kMaxThreads) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--threads needs a number from 1 to ", kMaxThreads, ", not '", o->Get("--threads"), "'"));
  }
  if (flags.patterns_path.empty()) return absl::InvalidArgumentError("--patterns FILE is required");
  if (o->positional.size() > 1) return absl::InvalidArgumentError("at most one INPUT file");
  if (!o->positional.empty()) flags.input_path = o->positional[0];
  return flags;
}

// Reads the patterns file: a JSON object mapping rule names to event patterns,
// in the file's order. Errors: the file's, with its name.
absl::StatusOr<std::vector<matcher::RuleSpec>> LoadPatterns(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const simdjson::error_code error = parser.parse(*text).get(root); error) {
    return absl::InvalidArgumentError(absl::StrCat(
        "patterns file '", path, "' is not valid JSON: ", simdjson::error_message(error)));
  }
  simdjson::dom::object rules_object;
  if (root.get(rules_object) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(absl::StrCat(
        "patterns file '", path, "' must be a JSON object mapping rule names to event patterns"));
  }
  std::vector<matcher::RuleSpec> rules;
  for (const simdjson::dom::key_value_pair field : rules_object) {
    std::string name(field.key);
    if (!field.value.is_object()) {
      return absl::InvalidArgumentError(absl::StrCat("patterns file '", path, "': rule '", name,
                                                     "': the event pattern must be a JSON object"));
    }
    rules.push_back({std::move(name), simdjson::minify(field.value)});
  }
  return rules;
}

// What the input held so far.
struct Totals {
  uint64_t lines = 0;   // blank lines included
  uint64_t events = 0;  // non-blank lines
  uint64_t bytes = 0;
  std::chrono::steady_clock::duration match_time{};
  bool malformed = false;  // some line was not a valid event
};

// Writes the results of the last block in input order: output lines on
// stdout, "line N: reason" on stderr for malformed lines.
void WriteBlockResults(const BatchMatcher& batch, Totals& totals) {
  for (size_t i = 0; i < batch.part_count(); ++i) {
    const PartResult& part = batch.part(i);
    std::fwrite(part.output.data(), 1, part.output.size(), stdout);
    for (const auto& [line, reason] : part.errors) {
      std::fprintf(stderr, "line %" PRIu64 ": %s\n", totals.lines + line, reason.c_str());
      totals.malformed = true;
    }
    totals.lines += part.lines;
    totals.events += part.events;
  }
  // A block is all the input at hand (see LineBlockReader::Next), so a reader
  // at the end of a pipe sees each result as soon as its event came in.
  std::fflush(stdout);
}

}  // namespace

void PrintMatchHelp(std::FILE* out) {
  std::fputs(R"(Usage: busbar match --patterns FILE [options] [INPUT]

Matches JSON events, one per line, against named EventBridge event patterns.
FILE is a JSON object mapping rule names to event patterns, e.g.
  {"orders": {"source": ["shop"]}, "big": {"detail": {"total": [{"numeric": [">", 100]}]}}}
INPUT is a file of events, one JSON object per line; '-' or none reads stdin,
and a name ending in .gz is decompressed. Empty lines (only whitespace) are
skipped and print nothing.

For every event prints one line: a JSON array of the names of the matching
rules in byte order, e.g. ["big","orders"] or []. A line that is not a valid
event prints {"error": "<reason>"}, and "line N: <reason>" goes to stderr.

Options:
  --patterns FILE       the rules (required)
  --count               print only, at the end, "name<TAB>count" for every rule,
                        in FILE's order
  --stats               print to stderr the events, bytes, seconds spent matching
                        (parsing and matching; reading and decompression excluded)
                        and events per second
  --threads N           match on N threads (default 1); output keeps input order
  --validate            fully parse every event first; invalid JSON is malformed
                        even where matching would not read that far
  --strict-eventbridge  reject the RE2 'regexp' extension
  -h, --help            show this help

Exit status: 0, or 1 if some line was not a valid event, or 2 for bad usage,
an unreadable file or an invalid pattern.
)",
             out);
}

int RunMatch(const Args& args) {
  absl::StatusOr<MatchFlags> flags = ParseFlags(args);
  if (!flags.ok()) return UsageError("match", std::string(flags.status().message()));
  if (flags->help) {
    PrintMatchHelp(stdout);
    return 0;
  }
  absl::StatusOr<std::vector<matcher::RuleSpec>> rules = LoadPatterns(flags->patterns_path);
  if (!rules.ok()) return PrintError(rules.status());
  absl::StatusOr<std::shared_ptr<const matcher::Matcher>> compiled =
      matcher::Matcher::Compile(*rules, flags->options);
  if (!compiled.ok()) return PrintError(compiled.status());
  absl::StatusOr<std::unique_ptr<LineBlockReader>> reader = LineBlockReader::Open(
      flags->input_path, kBlockBytesPerThread * flags->threads, simdjson::SIMDJSON_PADDING);
  if (!reader.ok()) return PrintError(reader.status());

  BatchMatcher batch(*compiled, {.threads = flags->threads,
                                 .count_only = flags->count,
                                 .validate = flags->validate,
                                 .max_event_depth = flags->options.max_event_depth});
  Totals totals;
  while (true) {
    absl::StatusOr<std::string_view> block = (*reader)->Next();
    if (!block.ok()) return PrintError(block.status());
    if (block->empty()) break;
    const auto start = std::chrono::steady_clock::now();
    batch.MatchBlock(*block);
    totals.match_time += std::chrono::steady_clock::now() - start;
    totals.bytes += block->size();
    WriteBlockResults(batch, totals);
  }

  if (flags->count) {
    const std::vector<uint64_t> counts = batch.RuleCounts();
    for (size_t id = 0; id < counts.size(); ++id) {
      const std::string& name = (*rules)[id].name;  // may hold any byte, NUL too
      std::fwrite(name.data(), 1, name.size(), stdout);
      std::fprintf(stdout, "\t%" PRIu64 "\n", counts[id]);
    }
  }
  if (flags->stats) {
    const double seconds = std::chrono::duration<double>(totals.match_time).count();
    std::fprintf(stderr,
                 "events=%" PRIu64 " bytes=%" PRIu64 " match_seconds=%.3f events_per_second=%.0f\n",
                 totals.events, totals.bytes, seconds,
                 seconds > 0 ? static_cast<double>(totals.events) / seconds : 0.0);
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fputs("busbar match: cannot write the output\n", stderr);
    return kExitUsage;
  }
  return totals.malformed ? 1 : 0;
}

}  // namespace busbar::cli
