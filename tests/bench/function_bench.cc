// FunctionHost benchmark: warm invocations per second of the Python runtime's echo handler
// (tests/testdata/functions/runtime.py) with N concurrent callers (each its own warm
// environment; a warm-up first), and the per-invocation overhead — Invoke → result, one caller,
// a no-op handler — as p50/p99 in µs. Figures only: no assertion on speed.
//
// Usage: function_bench [--callers 1,4] [--seconds S] [--samples N]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "targets/functions.h"

#ifndef BUSBAR_TESTDATA_DIR
#error "BUSBAR_TESTDATA_DIR must name the tests/testdata directory"
#endif
#ifndef BUSBAR_PYTHON3
#error "BUSBAR_PYTHON3 must name a python3 interpreter"
#endif

namespace {

using busbar::targets::Function;
using busbar::targets::FunctionHost;
using busbar::targets::FunctionHostOptions;
using Clock = std::chrono::steady_clock;

Function PythonFunction(std::string name, std::string handler) {
  Function config;
  config.name = std::move(name);
  config.command = {BUSBAR_PYTHON3, "runtime.py"};
  config.code_directory = std::string(BUSBAR_TESTDATA_DIR) + "/functions";
  config.handler = std::move(handler);
  config.timeout_s = 30;
  return config;
}

bool InvokeOk(FunctionHost& host, std::string_view name, const std::string& payload) {
  auto result = host.InvokeSync(name, payload, FunctionHost::Mode::kWait);
  if (!result.ok() || !result->function_error.empty()) {
    fprintf(stderr, "invoke failed: %s %s\n", result.status().ToString().c_str(),
            result.ok() ? result->payload.c_str() : "");
    return false;
  }
  return true;
}

// Every caller invokes as fast as answered for `seconds`; returns invocations per second.
double WarmRate(FunctionHost& host, int callers, double seconds) {
  std::atomic<int64_t> count{0};
  std::atomic<bool> failed{false};
  auto run = [&](double for_seconds, bool counted) {
    std::vector<std::thread> threads;
    auto until = Clock::now() + std::chrono::duration<double>(for_seconds);
    for (int i = 0; i < callers; ++i) {
      threads.emplace_back([&] {
        std::string payload = R"({"key":"value","n":[1,2,3]})";
        while (Clock::now() < until && !failed) {
          if (!InvokeOk(host, "echo", payload)) failed = true;
          if (counted) ++count;
        }
      });
    }
    for (auto& thread : threads) thread.join();
  };
  run(1.0, false);  // warm-up: starts one environment per caller
  auto start = Clock::now();
  run(seconds, true);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  return failed ? 0 : static_cast<double>(count) / elapsed;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(k), values.end());
  return values[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> callers = {1, 4};
  double seconds = 3;
  int samples = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--callers") {
      callers.clear();
      for (char* part = strtok(argv[i + 1], ","); part != nullptr; part = strtok(nullptr, ",")) {
        callers.push_back(atoi(part));
      }
    } else if (flag == "--seconds") {
      seconds = atof(argv[i + 1]);
    } else if (flag == "--samples") {
      samples = atoi(argv[i + 1]);
    } else {
      fprintf(stderr, "usage: function_bench [--callers 1,4] [--seconds S] [--samples N]\n");
      return 2;
    }
  }
  std::string log_dir = "/tmp/busbar-function-bench-XXXXXX";
  if (mkdtemp(log_dir.data()) == nullptr) return 1;
  int status = 0;
  {
    FunctionHostOptions options;
    options.log_dir = log_dir;
    auto host = FunctionHost::Create(options);
    if (!host.ok()) {
      fprintf(stderr, "%s\n", host.status().ToString().c_str());
      return 1;
    }
    if (!(*host)->Put(PythonFunction("echo", "echo")).ok() ||
        !(*host)->Put(PythonFunction("noop", "noop")).ok()) {
      return 1;
    }
    printf("machine: %u cores; Python runtime %s\n", std::thread::hardware_concurrency(),
           BUSBAR_PYTHON3);
    for (int n : callers) {
      double rate = WarmRate(**host, n, seconds);
      if (rate == 0) status = 1;
      printf("warm invocations/s (%d caller%s): %.0f\n", n, n == 1 ? "" : "s", rate);
      fflush(stdout);
    }
    for (int i = 0; i < 200; ++i) InvokeOk(**host, "noop", "{}");  // warm-up
    std::vector<double> micros;
    for (int i = 0; i < samples; ++i) {
      auto start = Clock::now();
      if (!InvokeOk(**host, "noop", "{}")) {
        status = 1;
        break;
      }
      micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    }
    printf("overhead p50: %.0f us p99: %.0f us (%zu no-op invocations, 1 caller)\n",
           Percentile(micros, 50), Percentile(micros, 99), micros.size());
  }
  std::error_code ec;
  std::filesystem::remove_all(log_dir, ec);
  return status;
}
