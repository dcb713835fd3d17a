// A closed-loop load driver: N threads call one function back to back for a
// fixed time and record each call's latency. Used by every *_load benchmark
// so a service and its baseline are driven identically in the same run.
#ifndef IOB_BENCH_LOAD_DRIVER_H_
#define IOB_BENCH_LOAD_DRIVER_H_

#include <functional>
#include <string>

#include "absl/time/time.h"

namespace iob::bench {

struct LoadResult {
  std::string name;
  long calls = 0;
  long errors = 0;
  double per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

// Runs `call` from `concurrency` threads for `duration` (after a short
// warm-up that is not counted). `call` returns false on error.
LoadResult RunLoad(const std::string& name, int concurrency, absl::Duration duration,
                   const std::function<bool()>& call);

// Prints results as a table, with each row's throughput and p50 as a ratio
// to the first row (the baseline).
void PrintResults(const std::vector<LoadResult>& results);

}  // namespace iob::bench

#endif  // IOB_BENCH_LOAD_DRIVER_H_
