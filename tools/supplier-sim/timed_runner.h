// TimedRunner: one background thread that runs jobs at their due time, so
// the simulator's delayed work (fulfilment posts, invoice mails) never holds
// an HTTP handler.
#ifndef IOB_TOOLS_SUPPLIER_SIM_TIMED_RUNNER_H_
#define IOB_TOOLS_SUPPLIER_SIM_TIMED_RUNNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iob::sim {

// Runs each job on the runner's thread once its due time has come, earliest
// first (jobs due at the same time in the order they were scheduled), one at
// a time. Thread-safe.
class TimedRunner {
 public:
  TimedRunner() = default;
  // Stops (see Stop).
  ~TimedRunner();
  TimedRunner(const TimedRunner&) = delete;
  TimedRunner& operator=(const TimedRunner&) = delete;

  // Starts the thread. Call once.
  void Start();
  // Drops every pending job and joins the thread; a job already running
  // finishes first. Idempotent; later Schedule calls are ignored.
  void Stop();

  // Runs `job` at `due` (at once when it is past). A job may schedule more.
  // Ignored once stopping.
  void Schedule(absl::Time due, std::function<void()> job);

 private:
  void Run();

  std::thread worker_;
  absl::Mutex mu_;
  absl::CondVar wake_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::pair<absl::Time, uint64_t>, std::function<void()>> jobs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_TIMED_RUNNER_H_
