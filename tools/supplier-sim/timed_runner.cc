// TimedRunner; see timed_runner.h.
#include "tools/supplier-sim/timed_runner.h"

#include "absl/time/clock.h"

namespace iob::sim {

TimedRunner::~TimedRunner() { Stop(); }

void TimedRunner::Start() {
  worker_ = std::thread([this] { Run(); });
}

void TimedRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    jobs_.clear();
    wake_.SignalAll();
  }
  if (worker_.joinable()) worker_.join();
}

void TimedRunner::Schedule(absl::Time due, std::function<void()> job) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return;
  jobs_.emplace(std::make_pair(due, next_seq_++), std::move(job));
  wake_.Signal();
}

void TimedRunner::Run() {
  while (true) {
    std::function<void()> job;
    {
      absl::MutexLock lock(&mu_);
      while (!stopping_ && (jobs_.empty() || jobs_.begin()->first.first > absl::Now())) {
        if (jobs_.empty()) {
          wake_.Wait(&mu_);
        } else {
          wake_.WaitWithDeadline(&mu_, jobs_.begin()->first.first);
        }
      }
      if (stopping_) return;
      job = std::move(jobs_.begin()->second);
      jobs_.erase(jobs_.begin());
    }
    job();
  }
}

}  // namespace iob::sim
