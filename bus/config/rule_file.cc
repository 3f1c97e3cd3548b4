// Internal to bus/config: the two entry points of config.h. Each file is read
// whole, parsed into a tree (yaml_tree.h) and checked into its part of the
// model (rule_file_parser.h); the parts are merged and cross-checked
// (config_linker.h). Nothing is returned unless everything passed.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bus/config/config.h"
#include "bus/config/config_linker.h"
#include "bus/config/rule_file_parser.h"
#include "bus/config/yaml_tree.h"

namespace busbar::config {
namespace {

absl::Status CheckOptions(const LoadOptions& opts) {
  bool account_ok = opts.account_id.size() == 12;
  for (char c : opts.account_id) account_ok = account_ok && c >= '0' && c <= '9';
  if (!account_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("account id '", opts.account_id, "' must be 12 digits"));
  }
  bool region_ok = !opts.region.empty();
  for (char c : opts.region) {
    region_ok = region_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }
  if (!region_ok) {
    return absl::InvalidArgumentError(
        absl::StrCat("region '", opts.region, "' must be lowercase letters, digits and '-'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<internal::ParsedFile> ParseOne(std::string_view text, std::string_view file_name,
                                              const LoadOptions& opts) {
  absl::StatusOr<internal::YamlNode> root = internal::ParseYaml(text, file_name);
  if (!root.ok()) return root.status();
  return internal::ParseRuleFileTree(*root, file_name, opts);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  auto error = [&path](std::string_view doing, int code) -> absl::Status {
    std::string what =
        absl::StrCat(path, ": cannot ", std::string(doing), ": ", std::strerror(code));
    if (code == ENOENT) return absl::NotFoundError(what);
    if (code == EACCES) return absl::PermissionDeniedError(what);
    return absl::InvalidArgumentError(what);
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (file == nullptr) return error("open", errno);
  std::string text;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file.get())) > 0) text.append(buffer, n);
  if (std::ferror(file.get())) return error("read", errno);
  return text;
}

}  // namespace

std::string SourceLocation::ToString() const { return absl::StrCat(file, ":", line, ":", column); }

absl::StatusOr<Config> LoadRuleFiles(const std::vector<std::string>& paths,
                                     const LoadOptions& opts) {
  absl::Status s = CheckOptions(opts);
  if (!s.ok()) return s;
  std::vector<internal::ParsedFile> files;
  files.reserve(paths.size());
  for (const std::string& path : paths) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    absl::StatusOr<internal::ParsedFile> file = ParseOne(*text, path, opts);
    if (!file.ok()) return file.status();
    files.push_back(*std::move(file));
  }
  return internal::LinkConfig(std::move(files));
}

absl::StatusOr<Config> ParseRuleFile(std::string_view text, std::string_view file_name,
                                     const LoadOptions& opts) {
  absl::Status s = CheckOptions(opts);
  if (!s.ok()) return s;
  absl::StatusOr<internal::ParsedFile> file = ParseOne(text, file_name, opts);
  if (!file.ok()) return file.status();
  std::vector<internal::ParsedFile> files;
  files.push_back(*std::move(file));
  return internal::LinkConfig(std::move(files));
}

}  // namespace busbar::config
