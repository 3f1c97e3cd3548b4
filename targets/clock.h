// busbar::targets::Clock — the time source of queues (visibility timeouts, retention,
// timestamps), injectable so tests can fake time.
//
// Threads: implementations must be thread-safe. SystemClock() is a process-wide singleton;
// FakeClock is thread-safe and only moves when told to.
#pragma once

#include <atomic>
#include <cstdint>

namespace busbar::targets {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

// The wall clock (std::chrono::system_clock). Never null; never destroyed.
Clock* SystemClock();

// A clock for tests: starts at `start_millis` and advances only through Advance/Set.
class FakeClock : public Clock {
 public:
  explicit FakeClock(int64_t start_millis = 1'700'000'000'000) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void AdvanceMillis(int64_t delta) { now_.fetch_add(delta); }
  void AdvanceSeconds(int64_t delta) { now_.fetch_add(delta * 1000); }
  void SetMillis(int64_t now) { now_.store(now); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace busbar::targets
