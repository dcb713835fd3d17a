// Fault injection: per endpoint, what should go wrong and how often. Pure
// decisions, no I/O (fault_effects.h carries them out), so they can be set
// over the admin API and made deterministic with probability 1.0.
//
// JSON (the body of POST /admin/faults; every key optional):
//   {"punchout": {"http_500": 1.0, "http_503": 0.0,
//                 "cxml_status": 500, "cxml_status_p": 1.0,
//                 "timeout": 0.0, "timeout_ms": 30000,
//                 "reset": 0.0, "reset_after_body": 0.0,
//                 "slow_body": 0.0, "slow_body_ms": 5000,
//                 "latency_ms": 0, "times": 0}}
// Probabilities are in [0, 1]. One uniform draw per request picks at most one
// fault, tried in the order reset, reset_after_body, timeout, http_500,
// http_503, cxml_status, slow_body (so with probabilities summing past 1 the
// earlier kinds win).
// latency_ms delays every request to the endpoint, before anything else.
// "times" > 0 limits how many faults fire; after that the endpoint's faults
// (not its latency) are cleared.
#ifndef IOB_TOOLS_SUPPLIER_SIM_FAULTS_H_
#define IOB_TOOLS_SUPPLIER_SIM_FAULTS_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iob::sim {

enum class FaultKind {
  kNone,
  kHttp500,     // HTTP 500 with a plain-text body
  kHttp503,     // HTTP 503 with Retry-After
  kCxmlStatus,  // HTTP 200 carrying a cXML Response with the configured code
  kTimeout,     // never answer: hold until the client gives up, then reset
  kReset,       // reset the connection without answering
  // Handle the request as usual (an order is counted, a session created),
  // then reset the connection instead of answering: the document reached
  // the supplier but the answer was lost.
  kResetAfterBody,
  kSlowBody,  // the normal answer, trickled out over slow_body_ms
};

// "http_500", "http_503", "cxml_status", "timeout", "reset",
// "reset_after_body", "slow_body", "none".
std::string_view FaultKindName(FaultKind kind);

struct FaultSpec {
  double http_500 = 0;
  double http_503 = 0;
  int cxml_status = 0;  // 0 = none
  double cxml_status_p = 0;
  double timeout = 0;
  int timeout_ms = 30000;  // upper bound on holding a request (<= 30000)
  double reset = 0;
  double reset_after_body = 0;
  double slow_body = 0;
  int slow_body_ms = 5000;  // time to trickle the body over (<= 30000)
  int latency_ms = 0;       // <= 30000
  int times = 0;            // 0 = unlimited
};

struct FaultDecision {
  FaultKind kind = FaultKind::kNone;
  absl::Duration latency;  // sleep first, whatever kind
  int cxml_status = 0;     // for kCxmlStatus
  absl::Duration hold;     // for kTimeout: at most this long
  absl::Duration trickle;  // for kSlowBody: spread the body over this
};

// Thread-safe.
class FaultInjector {
 public:
  // `endpoints` are the names faults may be set for; `seed` seeds the draw
  // (fixed seeds make fractional probabilities reproducible).
  FaultInjector(std::vector<std::string> endpoints, uint64_t seed);

  // Replaces every endpoint's faults with those in `json`. INVALID_ARGUMENT
  // (naming the key) for malformed JSON, an unknown endpoint or key, a
  // probability outside [0, 1], a duration outside [0, 30000] ms or a
  // cxml_status outside 100..999; nothing changes then.
  absl::Status SetFromJson(std::string_view json);
  // Removes every fault and latency.
  void Clear();
  // The current settings as JSON (the shape SetFromJson takes).
  std::string ToJson() const;

  // Draws the fault for one request to `endpoint` (kNone for endpoints
  // without faults).
  FaultDecision Decide(const std::string& endpoint);

  const std::vector<std::string>& endpoints() const { return endpoints_; }

 private:
  const std::vector<std::string> endpoints_;
  mutable absl::Mutex mu_;
  std::map<std::string, FaultSpec> specs_ ABSL_GUARDED_BY(mu_);
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_FAULTS_H_
