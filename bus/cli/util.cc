// Helpers shared by the `busbar` commands; see util.h.
#include "bus/cli/util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace busbar::cli {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot open '", path, "'"));
  }
  std::string content;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) content.append(buffer, n);
  const bool failed = std::ferror(file) != 0;
  const int error = errno;
  std::fclose(file);
  if (failed) return absl::ErrnoToStatus(error, absl::StrCat("cannot read '", path, "'"));
  return content;
}

absl::StatusOr<std::string> ReadJsonArg(std::string_view arg) {
  if (!arg.empty() && arg.front() == '@') return ReadFile(std::string(arg.substr(1)));
  return std::string(arg);
}

namespace {

// Whether args[*i] is the value option `name`, as `name VALUE` or `name=VALUE`. If so, stores
// the value in `*value` and leaves *i on the last argument used. InvalidArgument if the value
// is missing.
absl::StatusOr<bool> MatchValueOption(const Args& args, size_t* i, std::string_view name,
                                      std::string_view* value) {
  const std::string_view arg = args[*i];
  if (!arg.starts_with(name)) return false;
  if (arg.size() > name.size()) {
    if (arg[name.size()] != '=') return false;  // a longer option sharing the prefix
    *value = arg.substr(name.size() + 1);
    return true;
  }
  if (*i + 1 >= args.size()) {
    return absl::InvalidArgumentError(absl::StrCat("option ", std::string(name), " needs a value"));
  }
  *value = args[++*i];
  return true;
}

}  // namespace

std::string Options::Get(std::string_view name, std::string_view fallback) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::string(fallback);
  return it->second.back();
}

const std::vector<std::string>& Options::All(std::string_view name) const {
  static const std::vector<std::string>* const kNone = new std::vector<std::string>;
  auto it = values.find(name);
  return it == values.end() ? *kNone : it->second;
}

absl::StatusOr<Options> ReadOptions(const Args& args, size_t start,
                                    std::initializer_list<std::string_view> value_options,
                                    std::initializer_list<std::string_view> flags) {
  Options out;
  for (size_t i = start; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") {
      out.positional.insert(out.positional.end(), args.begin() + i + 1, args.end());
      break;
    }
    bool taken = false;
    for (std::string_view name : value_options) {
      std::string_view value;
      absl::StatusOr<bool> took = MatchValueOption(args, &i, name, &value);
      if (!took.ok()) return took.status();
      if (*took) {
        out.values[std::string(name)].emplace_back(value);
        taken = true;
        break;
      }
    }
    if (taken) continue;
    for (std::string_view name : flags) {
      if (arg == name) {
        out.values[std::string(name)];
        taken = true;
        break;
      }
      if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
        return absl::InvalidArgumentError(
            absl::StrCat("option ", std::string(name), " takes no value"));
      }
    }
    if (taken) continue;
    if (arg.starts_with("--")) {
      return absl::InvalidArgumentError(absl::StrCat("unknown option '", std::string(arg), "'"));
    }
    out.positional.emplace_back(arg);
  }
  return out;
}

absl::StatusOr<std::optional<std::string>> TakeOption(Args& args, std::string_view name) {
  std::optional<std::string> last;
  Args rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--") {  // the end of the options: the rest stays as it is
      rest.insert(rest.end(), args.begin() + i, args.end());
      break;
    }
    std::string_view value;
    absl::StatusOr<bool> took = MatchValueOption(args, &i, name, &value);
    if (!took.ok()) return took.status();
    if (*took) {
      last = std::string(value);
    } else {
      rest.push_back(args[i]);
    }
  }
  args = std::move(rest);
  return last;
}

int PrintError(const absl::Status& status) {
  std::fprintf(stderr, "%.*s\n", static_cast<int>(status.message().size()),
               status.message().data());
  return kExitUsage;
}

int UsageError(std::string_view command, std::string_view message) {
  std::fprintf(stderr, "busbar %.*s: %.*s\nRun 'busbar help %.*s' for usage.\n",
               static_cast<int>(command.size()), command.data(), static_cast<int>(message.size()),
               message.data(), static_cast<int>(command.size()), command.data());
  return kExitUsage;
}

}  // namespace busbar::cli
