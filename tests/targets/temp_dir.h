// Test helper: a fresh directory under /tmp (mkdtemp), removed with its contents when the
// TempDir is destroyed. Thread-compatible.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace busbar::targets::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/busbar-targets-test-XXXXXX";
    char* made = mkdtemp(pattern.data());
    path_ = made != nullptr ? made : "";
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace busbar::targets::testing
