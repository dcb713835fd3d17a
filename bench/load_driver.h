// A closed-loop load driver: N threads call one function back to back for a
// fixed time and record each call's latency. Used by every *_load benchmark
// so a service and its baseline are driven identically in the same run.
#ifndef IOB_BENCH_LOAD_DRIVER_H_
#define IOB_BENCH_LOAD_DRIVER_H_

#include <functional>
#include <string>
#include <vector>

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

// One load of RunInterleaved.
struct Load {
  std::string name;
  std::function<bool()> call;  // returns false on error
};

// Runs each of `loads` for `duration` in all, as RunLoad does, but in
// `rounds` slices taken in turn (load 1, load 2, ..., load 1, ...), so the
// other work of a shared machine, which comes and goes, weighs on a figure
// and its floor alike. Results in the order of `loads`.
std::vector<LoadResult> RunInterleaved(const std::vector<Load>& loads, int concurrency,
                                       absl::Duration duration, int rounds);

// Prints results as a table, with each row's throughput and p50 as a ratio
// to the first row (the baseline).
void PrintResults(const std::vector<LoadResult>& results);

// One figure beside the floor it is judged against, measured in the same run
// (e.g. GetIntegration req/s beside the gRPC health check's req/s).
struct FloorRow {
  std::string figure;  // "GetIntegration req/s"
  double value = 0;
  std::string floor;  // "gRPC health Check req/s"
  double floor_value = 0;
  // The ratio value / floor_value must reach: at least `target` (a
  // throughput), or at most `target` when `at_most` (a latency against its
  // limit). 0: no target, the ratio is for information.
  double target = 0;
  bool at_most = false;
};

// Prints each row's value beside its floor with the ratio and, where a row
// has a target, whether it was met. Returns true when every target was met.
bool PrintFloors(const std::vector<FloorRow>& rows);

}  // namespace iob::bench

#endif  // IOB_BENCH_LOAD_DRIVER_H_
