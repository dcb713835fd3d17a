#include "bench/load_driver.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

namespace iob::bench {

namespace {

// Latencies (ms) and errors of one load, gathered over its slices.
struct Samples {
  std::vector<double> latencies_ms;
  long errors = 0;
  double seconds = 0;
};

// Runs `call` from `concurrency` threads for `duration`, adding to `out`.
void RunSlice(int concurrency, absl::Duration duration, const std::function<bool()>& call,
              Samples& out) {
  using Clock = std::chrono::steady_clock;
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
  out.seconds += std::chrono::duration<double>(Clock::now() - start).count();
  for (int t = 0; t < concurrency; ++t) {
    out.latencies_ms.insert(out.latencies_ms.end(), latencies[t].begin(), latencies[t].end());
    out.errors += errors[t];
  }
}

LoadResult Summarize(const std::string& name, Samples& s) {
  std::sort(s.latencies_ms.begin(), s.latencies_ms.end());
  LoadResult r;
  r.name = name;
  r.errors = s.errors;
  r.calls = static_cast<long>(s.latencies_ms.size());
  r.per_second = s.seconds > 0 ? r.calls / s.seconds : 0;
  if (!s.latencies_ms.empty()) {
    const size_t n = s.latencies_ms.size();
    r.p50_ms = s.latencies_ms[n / 2];
    r.p99_ms = s.latencies_ms[std::min(n - 1, n * 99 / 100)];
  }
  return r;
}

}  // namespace

LoadResult RunLoad(const std::string& name, int concurrency, absl::Duration duration,
                   const std::function<bool()>& call) {
  return RunInterleaved({{name, call}}, concurrency, duration, 1).front();
}

std::vector<LoadResult> RunInterleaved(const std::vector<Load>& loads, int concurrency,
                                       absl::Duration duration, int rounds) {
  rounds = std::max(1, rounds);
  // Warm-up: connections, caches, prepared plans.
  for (const Load& load : loads) {
    for (int i = 0; i < 50; ++i) load.call();
  }
  std::vector<Samples> samples(loads.size());
  for (int round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < loads.size(); ++i) {
      RunSlice(concurrency, duration / rounds, loads[i].call, samples[i]);
    }
  }
  std::vector<LoadResult> results;
  for (size_t i = 0; i < loads.size(); ++i) results.push_back(Summarize(loads[i].name, samples[i]));
  return results;
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

bool PrintFloors(const std::vector<FloorRow>& rows) {
  std::printf("%-34s %10s  %-34s %10s %8s %10s\n", "figure", "value", "floor", "floor", "ratio",
              "target");
  bool all_met = true;
  for (const auto& r : rows) {
    const double ratio = r.floor_value > 0 ? r.value / r.floor_value : 0;
    std::string target = "-";
    if (r.target > 0) {
      const bool met = r.floor_value > 0 && (r.at_most ? ratio <= r.target : ratio >= r.target);
      all_met = all_met && met;
      char text[48];
      std::snprintf(text, sizeof(text), "%s%.2fx %s", r.at_most ? "<=" : ">=", r.target,
                    met ? "met" : "MISSED");
      target = text;
    }
    std::printf("%-34s %10.2f  %-34s %10.2f %7.2fx %s\n", r.figure.c_str(), r.value,
                r.floor.c_str(), r.floor_value, ratio, target.c_str());
  }
  return all_met;
}

}  // namespace iob::bench
