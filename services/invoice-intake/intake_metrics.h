// Invoice intake's own Prometheus series (beside the gRPC RED metrics
// libs/runtime records): what an SRE watches of the mailboxes, the
// messages and the invoices.
#ifndef IOB_SERVICES_INVOICE_INTAKE_INTAKE_METRICS_H_
#define IOB_SERVICES_INVOICE_INTAKE_INTAKE_METRICS_H_

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

#include "absl/time/time.h"
#include "services/invoice-intake/invoice_store.h"

namespace iob::invoice {

// Thread-safe (prometheus-cpp series are).
class IntakeMetrics {
 public:
  explicit IntakeMetrics(prometheus::Registry& registry);

  // One message taken from `source` ("imap", "maildir", "api",
  // "cxml_post"): `outcome` is "processed", "quarantined", "received" (stored,
  // not read yet: a peer was away), "duplicate" (the same bytes again) or
  // "refused" (not stored: over the size limit).
  void Message(const std::string& source, const std::string& outcome);
  // One message read (Intake::Process), however it ended.
  void Processed(absl::Duration took);
  // One invoice recorded from a part of `format` ("cxml", "ubl", ...), in
  // `state` afterwards ("matched", "exception", "needs_review", ...).
  void Invoice(const std::string& format, const std::string& state);
  // A supplier's cXML post: its type and the cXML code we answered.
  void Inbound(const std::string& document_type, int cxml_code);
  // Creates the series of a configured mailbox ("imap", "maildir") at zero.
  void AddMailbox(const std::string& mailbox);
  // A mailbox read: `ok` sets its last-poll time to now, else counts an error.
  void Poll(const std::string& mailbox, bool ok);
  // The gauges, from the store's figures.
  void SetBacklog(const IntakeStats& stats);

 private:
  prometheus::Family<prometheus::Counter>& messages_;
  prometheus::Histogram& processing_seconds_;
  prometheus::Family<prometheus::Counter>& invoices_;
  prometheus::Family<prometheus::Counter>& inbound_;
  prometheus::Family<prometheus::Gauge>& last_poll_;
  prometheus::Family<prometheus::Counter>& poll_errors_;
  prometheus::Gauge& oldest_unprocessed_;
  prometheus::Gauge& quarantined_;
  prometheus::Family<prometheus::Gauge>& awaiting_review_;
};

}  // namespace iob::invoice

#endif  // IOB_SERVICES_INVOICE_INTAKE_INTAKE_METRICS_H_
