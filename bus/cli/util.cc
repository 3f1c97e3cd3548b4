// Helpers shared by the `busbar` commands; see util.h.
#include "bus/cli/util.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>

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

void AppendJsonString(std::string_view s, std::string& out) {
  // Characters with a two-character escape, and the letter after the backslash.
  static constexpr std::string_view kEscaped = "\"\\\n\r\t\b\f";
  static constexpr std::string_view kLetters = "\"\\nrtbf";
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain_start = 0;  // copy runs of bytes that need no escape in one append
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + plain_start, i - plain_start);
    plain_start = i + 1;
    out.push_back('\\');
    if (const size_t k = kEscaped.find(s[i]); k != std::string_view::npos) {
      out.push_back(kLetters[k]);
    } else {
      out.append("u00");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  out.append(s.data() + plain_start, s.size() - plain_start);
  out.push_back('"');
}

absl::StatusOr<bool> TakeOptionValue(const Args& args, size_t* i, std::string_view name,
                                     std::string_view* value) {
  const std::string_view arg = args[*i];
  if (arg.substr(0, name.size()) != name) return false;
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

std::string Rfc3339(int64_t unix_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
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
