// Internal to bus/: what every `busbar` command shares — reading files and JSON arguments,
// reading options, and reporting usage errors. No gRPC here, so the match tool links it
// without the daemon. Pure functions, thread-safe (the error printers write to stderr).
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"

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

// A command's arguments read by ReadOptions: the options given and the other arguments.
struct Options {
  // Each option given, with its values in order (an option may be repeated); a flag (an
  // option without a value) has none.
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  // The other arguments, in order.
  std::vector<std::string> positional;

  // Whether the option or flag `name` was given.
  bool Has(std::string_view name) const { return values.find(name) != values.end(); }
  // The last value of `name`, or `fallback`.
  std::string Get(std::string_view name, std::string_view fallback = "") const;
  // Every value of `name`, in order; empty when it was not given.
  const std::vector<std::string>& All(std::string_view name) const;
  // The last value of `name` as a decimal integer into `*out`; true when `name` was not given
  // (`*out` unchanged), false when its value is not a number of that type (absl::SimpleAtoi:
  // "12abc", "" and out-of-range values are not).
  template <typename Int>
  bool GetInt(std::string_view name, Int* out) const {
    if (!Has(name)) return true;
    const std::string value = Get(name);
    return absl::SimpleAtoi(absl::string_view(value.data(), value.size()), out);
  }
};

// The command-line parser of every command. Reads args[start...]: each of `value_options` as
// `--name VALUE` or `--name=VALUE`, each of `flags` as itself; "--" ends the options (every
// later argument is positional). Any other argument starting with "--" is an error; the rest,
// "-" included, is positional. InvalidArgument "unknown option '--x'", "option --name needs a
// value" or "option --flag takes no value".
absl::StatusOr<Options> ReadOptions(const Args& args, size_t start,
                                    std::initializer_list<std::string_view> value_options,
                                    std::initializer_list<std::string_view> flags = {});

// Takes the value option `name` out of `args`, wherever it is (before or after a subcommand),
// with the same syntax as ReadOptions; returns its last value, or nullopt when it is not
// there. For an option that every subcommand of a command takes (--endpoint), read before the
// subcommand reads its own. InvalidArgument "option --name needs a value".
absl::StatusOr<std::optional<std::string>> TakeOption(Args& args, std::string_view name);

// Prints the status message on stderr; returns kExitUsage.
int PrintError(const absl::Status& status);

// Prints "busbar <command>: <message>" and a pointer to the command's help on
// stderr; returns kExitUsage.
int UsageError(std::string_view command, std::string_view message);

}  // namespace busbar::cli
