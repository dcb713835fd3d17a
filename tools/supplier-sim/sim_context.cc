#include "tools/supplier-sim/sim_context.h"

#include "absl/strings/str_cat.h"

namespace iob::sim {

void ServeWithFaults(const SimContext& ctx, const std::string& endpoint,
                     const httplib::Request& req, httplib::Response& res,
                     const FaultAwareHandler& handle) {
  ctx.traffic.Received(endpoint, req.body);
  const FaultDecision fault = ctx.faults.Decide(endpoint);
  if (ctx.effects.ApplyBeforeHandling(fault, req, res)) {
    ctx.traffic.Outcome(endpoint, absl::StrCat("fault_", std::string(FaultKindName(fault.kind))));
    return;
  }
  std::string outcome = handle(fault, req, res);
  if (fault.kind != FaultKind::kSlowBody && fault.kind != FaultKind::kResetAfterBody) {
    ctx.traffic.Outcome(endpoint, outcome);
    return;
  }
  // Counted before the effect: a client that sees the reset may read the
  // stats at once.
  ctx.traffic.Outcome(endpoint, absl::StrCat("fault_", std::string(FaultKindName(fault.kind))));
  ctx.effects.ApplyAfterHandling(fault, req, res);
}

}  // namespace iob::sim
