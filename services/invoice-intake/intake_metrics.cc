#include "services/invoice-intake/intake_metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace iob::invoice {
namespace {

constexpr const char* kSources[] = {"imap", "maildir", "api", "cxml_post"};
constexpr const char* kOutcomes[] = {"processed", "quarantined", "received", "duplicate",
                                     "refused"};
constexpr const char* kFormats[] = {"cxml", "ubl", "cii", "facturx", "pdf"};
constexpr const char* kInvoiceStates[] = {"matched", "exception", "needs_review"};

// Reading one message takes milliseconds; a large PDF up to seconds.
const prometheus::Histogram::BucketBoundaries& ProcessingBuckets() {
  static const auto* kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *kBuckets;
}

}  // namespace

IntakeMetrics::IntakeMetrics(prometheus::Registry& registry)
    : messages_(prometheus::BuildCounter()
                    .Name("iob_intake_messages_total")
                    .Help("Messages taken, by source (imap, maildir, api, cxml_post) and outcome "
                          "(processed, quarantined, received, duplicate, refused).")
                    .Register(registry)),
      processing_seconds_(prometheus::BuildHistogram()
                              .Name("iob_intake_processing_seconds")
                              .Help("Time to read one stored message: MIME, formats, matching.")
                              .Register(registry)
                              .Add({}, ProcessingBuckets())),
      invoices_(prometheus::BuildCounter()
                    .Name("iob_intake_invoices_total")
                    .Help("Invoices recorded (a second copy counts again), by the format of the "
                          "part and the invoice's state afterwards.")
                    .Register(registry)),
      inbound_(prometheus::BuildCounter()
                   .Name("iob_intake_inbound_documents_total")
                   .Help("cXML documents posted by suppliers, by type and the cXML code answered.")
                   .Register(registry)),
      last_poll_(prometheus::BuildGauge()
                     .Name("iob_intake_mailbox_last_poll_timestamp_seconds")
                     .Help("Unix time of the mailbox's last successful read.")
                     .Register(registry)),
      poll_errors_(prometheus::BuildCounter()
                       .Name("iob_intake_mailbox_poll_errors_total")
                       .Help("Failed reads of the mailbox (server away, login refused, ...).")
                       .Register(registry)),
      oldest_unprocessed_(prometheus::BuildGauge()
                              .Name("iob_intake_oldest_unprocessed_age_seconds")
                              .Help("Age of the oldest message stored but not read (0: none).")
                              .Register(registry)
                              .Add({})),
      quarantined_(prometheus::BuildGauge()
                       .Name("iob_intake_quarantined_messages")
                       .Help("Messages in quarantine (unroutable, unreadable, no invoice).")
                       .Register(registry)
                       .Add({})),
      awaiting_review_(prometheus::BuildGauge()
                           .Name("iob_intake_invoices_awaiting_review")
                           .Help("Invoices waiting for a person, by state (exception, "
                                 "needs_review).")
                           .Register(registry)) {
  for (const char* source : kSources) {
    for (const char* outcome : kOutcomes) {
      messages_.Add({{"source", source}, {"outcome", outcome}});
    }
  }
  for (const char* format : kFormats) {
    for (const char* state : kInvoiceStates) invoices_.Add({{"format", format}, {"state", state}});
  }
  for (const char* state : {"exception", "needs_review"}) awaiting_review_.Add({{"state", state}});
  // As the alerts need them from the start (increase() misses a series'
  // first sample).
  for (const char* code : {"200", "400", "401", "406", "417"}) {
    inbound_.Add({{"type", "InvoiceDetailRequest"}, {"code", code}});
  }
}

void IntakeMetrics::AddMailbox(const std::string& mailbox) {
  poll_errors_.Add({{"mailbox", mailbox}});
}

void IntakeMetrics::Message(const std::string& source, const std::string& outcome) {
  messages_.Add({{"source", source}, {"outcome", outcome}}).Increment();
}

void IntakeMetrics::Processed(absl::Duration took) {
  processing_seconds_.Observe(absl::ToDoubleSeconds(took));
}

void IntakeMetrics::Invoice(const std::string& format, const std::string& state) {
  invoices_.Add({{"format", format}, {"state", state}}).Increment();
}

void IntakeMetrics::Inbound(const std::string& document_type, int cxml_code) {
  inbound_.Add({{"type", document_type}, {"code", absl::StrCat(cxml_code)}}).Increment();
}

void IntakeMetrics::Poll(const std::string& mailbox, bool ok) {
  if (ok) {
    last_poll_.Add({{"mailbox", mailbox}})
        .Set(absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()));
  } else {
    poll_errors_.Add({{"mailbox", mailbox}}).Increment();
  }
}

void IntakeMetrics::SetBacklog(const IntakeStats& stats) {
  oldest_unprocessed_.Set(absl::ToDoubleSeconds(stats.oldest_unprocessed_age));
  quarantined_.Set(static_cast<double>(stats.quarantined));
  awaiting_review_.Add({{"state", "exception"}}).Set(static_cast<double>(stats.exceptions));
  awaiting_review_.Add({{"state", "needs_review"}}).Set(static_cast<double>(stats.needs_review));
}

}  // namespace iob::invoice
