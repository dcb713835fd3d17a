#include "bench/load_driver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace iob::bench {

LoadResult RunLoad(const std::string& name, int concurrency, absl::Duration duration,
                   const std::function<bool()>& call) {
  using Clock = std::chrono::steady_clock;
  // Warm-up: connections, caches, prepared plans.
  for (int i = 0; i < 50; ++i) call();
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(concurrency);
  std::vector<long> errors(concurrency, 0);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      latencies[t].reserve(1 << 16);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        const bool ok = call();
        latencies[t].push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (!ok) ++errors[t];
      }
    });
  }
  std::this_thread::sleep_for(absl::ToChronoMilliseconds(duration));
  stop = true;
  for (auto& th : threads) th.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  LoadResult r;
  r.name = name;
  for (int t = 0; t < concurrency; ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    r.errors += errors[t];
  }
  std::sort(all.begin(), all.end());
  r.calls = static_cast<long>(all.size());
  r.per_second = r.calls / seconds;
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

void PrintResults(const std::vector<LoadResult>& results) {
  std::printf("%-34s %10s %8s %10s %9s %9s %12s %12s\n", "load", "calls", "errors", "req/s",
              "p50 ms", "p99 ms", "req/s ratio", "p50 ratio");
  for (const auto& r : results) {
    const auto& base = results.front();
    std::printf("%-34s %10ld %8ld %10.0f %9.3f %9.3f %12.3f %12.3f\n", r.name.c_str(), r.calls,
                r.errors, r.per_second, r.p50_ms, r.p99_ms,
                base.per_second > 0 ? r.per_second / base.per_second : 0,
                base.p50_ms > 0 ? r.p50_ms / base.p50_ms : 0);
  }
}

}  // namespace iob::bench
