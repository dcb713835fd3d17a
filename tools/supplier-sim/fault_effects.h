// Carries out FaultDecisions on an httplib request/response: latency, HTTP
// 500/503, never answering, connection resets and slow bodies. Every wait is
// bounded and ends early when the simulator stops, so a graceful stop never
// waits for an injected timeout.
#ifndef IOB_TOOLS_SUPPLIER_SIM_FAULT_EFFECTS_H_
#define IOB_TOOLS_SUPPLIER_SIM_FAULT_EFFECTS_H_

#include <httplib.h>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "tools/supplier-sim/faults.h"

namespace iob::sim {

// Thread-safe; holds only a pointer to the stop notification, which must
// outlive it.
class FaultEffects {
 public:
  explicit FaultEffects(const absl::Notification* stopping) : stopping_(stopping) {}

  // Sleeps for `d`, or until the simulator stops.
  void Sleep(absl::Duration d) const;

  // Applies the decision's latency, then the faults that replace the answer
  // (http_500, http_503, timeout, reset). Returns true when the response is
  // settled and the handler must not touch `res` any more; false when the
  // handler should answer normally (kNone, kCxmlStatus, kResetAfterBody,
  // kSlowBody).
  bool ApplyBeforeHandling(const FaultDecision& decision, const httplib::Request& req,
                           httplib::Response& res) const;

  // After the handler answered. kSlowBody: turns the response into one whose
  // body is written in about 20 pieces spread over decision.trickle.
  // kResetAfterBody: resets `req`'s connection, so the answer never leaves.
  // No-op for other kinds.
  void ApplyAfterHandling(const FaultDecision& decision, const httplib::Request& req,
                          httplib::Response& res) const;

 private:
  const absl::Notification* stopping_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_FAULT_EFFECTS_H_
