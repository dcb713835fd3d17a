// The dispatch service's own Prometheus series (beside the gRPC RED metrics
// libs/runtime records): the outbox as an SRE watches it.
#ifndef IOB_SERVICES_DISPATCH_DISPATCH_METRICS_H_
#define IOB_SERVICES_DISPATCH_DISPATCH_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/time/time.h"
#include "services/dispatch/order_store.h"

namespace iob::dispatch {

// Thread-safe (prometheus-cpp series are).
class DispatchMetrics {
 public:
  explicit DispatchMetrics(prometheus::Registry& registry);

  // `mode` is "test" or "production" everywhere.
  static std::string Mode(bool test) { return test ? "test" : "production"; }

  void Submitted(bool test);
  // One delivery attempt: outcome (supplier::OutcomeLabel, or smtp_...)
  // and the class of the code the supplier or relay answered with -- cXML
  // status, else SMTP reply, else HTTP status ("2xx", "4xx", "5xx", "none").
  void Attempt(const std::string& outcome, int http_status, int cxml_code, int smtp_code);
  // Submit-to-delivered time of a first version.
  void Delivered(bool test, absl::Duration since_submit);
  void DeadLetter(bool test);
  // An inbound supplier document: its type and the cXML code we answered.
  void Inbound(const std::string& document_type, int cxml_code);
  // The gauges, from the store's figures.
  void SetOutbox(const OutboxStats& stats);
  void Flagged(int n);

 private:
  prometheus::Family<prometheus::Counter>& submitted_;
  prometheus::Family<prometheus::Counter>& attempts_;
  prometheus::Family<prometheus::Histogram>& delivery_seconds_;
  prometheus::Family<prometheus::Counter>& dead_letters_;
  prometheus::Family<prometheus::Counter>& inbound_;
  prometheus::Family<prometheus::Gauge>& orders_;
  prometheus::Family<prometheus::Gauge>& oldest_undelivered_;
  prometheus::Family<prometheus::Gauge>& unconfirmed_;
  prometheus::Counter& flagged_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_DISPATCH_METRICS_H_
