// Internal to targets/: the function log file and the text Lambda writes (REPORT lines, error
// documents).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "matcher/base/base.h"
#include "simdjson.h"
#include "targets/function_internal.h"

namespace busbar::targets::function_internal {

FunctionLog::FunctionLog(std::string path, size_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {}

FunctionLog::~FunctionLog() {
  absl::MutexLock lock(&mu_);
  if (fd_ >= 0) close(fd_);
}

void FunctionLog::OpenLocked() {
  fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  struct stat st;
  size_ = fd_ >= 0 && fstat(fd_, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

void FunctionLog::Append(std::string_view line) {
  std::string text(line);
  text.push_back('\n');
  absl::MutexLock lock(&mu_);
  if (fd_ < 0) OpenLocked();
  if (fd_ >= 0 && size_ > 0 && size_ + text.size() > max_bytes_) {
    close(fd_);
    rename(path_.c_str(), absl::StrCat(path_, ".1").c_str());
    OpenLocked();
  }
  if (fd_ < 0) return;
  size_t written = 0;
  while (written < text.size()) {
    ssize_t n = write(fd_, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  size_ += written;
}

absl::StatusOr<std::string> FunctionLog::Tail(size_t max_bytes) const {
  absl::MutexLock lock(&mu_);
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return absl::InternalError(absl::StrCat("cannot read ", path_, ": ", strerror(errno)));
  }
  struct stat st;
  size_t size = fstat(fd, &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
  size_t start = size > max_bytes ? size - max_bytes : 0;
  std::string text(size - start, '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = pread(fd, text.data() + got, text.size() - got, static_cast<off_t>(start + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  text.resize(got);
  return text;
}

std::string ErrorDocument(std::string_view message, std::string_view type) {
  std::string out = "{\"errorMessage\":";
  base::AppendJsonString(message, &out);
  out += ",\"errorType\":";
  base::AppendJsonString(type, &out);
  out += '}';
  return out;
}

std::optional<std::string> ErrorTypeOf(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json.data(), json.size());
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string_view type;
  if (root["errorType"].get(type) != simdjson::SUCCESS) return std::nullopt;
  return std::string(type);
}

std::string Rfc3339Millis(absl::Time time) {
  return base::FormatRfc3339(absl::ToUnixMillis(time), base::Rfc3339Precision::kMillis);
}

std::string ReportLine(const InvokeResult& result, int memory_size_mb) {
  std::string line = absl::StrFormat(
      "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %.0f ms\tMemory Size: %d "
      "MB\tMax Memory Used: %d MB",
      result.request_id, result.duration_ms, result.billed_duration_ms, memory_size_mb,
      result.max_memory_used_mb);
  if (result.cold_start)
    absl::StrAppendFormat(&line, "\tInit Duration: %.2f ms", result.init_duration_ms);
  return line;
}

}  // namespace busbar::targets::function_internal
