// Env::Default(): the real clock, sleep and fdatasync.
#include "matcher/base/env.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace busbar::base {
namespace {

class PosixEnv final : public Env {
 public:
  int64_t NowMillis() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepForMillis(int64_t millis) override {
    if (millis > 0) std::this_thread::sleep_for(std::chrono::milliseconds(millis));
  }
  bool AwaitWithDeadline(absl::Mutex& mu, const absl::Condition& cond,
                         int64_t deadline_millis) override {
    return mu.AwaitWithDeadline(cond, absl::FromUnixMillis(deadline_millis));
  }
  absl::Status SyncFile(int fd, std::string_view path) override {
    if (::fdatasync(fd) != 0) {
      return absl::InternalError(
          absl::StrCat("fsync of ", std::string(path), " failed: ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }
};

}  // namespace

Env* Env::Default() {
  static Env* const env = new PosixEnv;
  return env;
}

}  // namespace busbar::base
