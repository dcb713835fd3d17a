// Waiting on a condition in tests, never on a bare sleep: WaitFor polls the
// condition until it holds; its bound only stops a hang.
#ifndef IOB_TESTS_SUPPORT_WAIT_H_
#define IOB_TESTS_SUPPORT_WAIT_H_

#include <functional>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace iob::testing {

// Polls `done` every 20 ms until it returns true and returns how long that
// took. When `bound` passes first, adds a test failure naming `what` and
// returns. Call from the test's thread.
inline absl::Duration WaitFor(const std::function<bool()>& done,
                              const std::string& what = "condition",
                              absl::Duration bound = absl::Seconds(60)) {
  const absl::Time start = absl::Now();
  while (!done()) {
    if (absl::Now() - start > bound) {
      ADD_FAILURE() << what << ": not reached within " << bound;
      break;
    }
    absl::SleepFor(absl::Milliseconds(20));  // poll interval
  }
  return absl::Now() - start;
}

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_WAIT_H_
