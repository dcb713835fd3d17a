#include "services/dispatch/dispatch_metrics.h"

#include "absl/strings/str_cat.h"
#include "libs/runtime/metrics.h"

namespace iob::dispatch {
namespace {

// Delivery takes from milliseconds to hours (retries): buckets to 6 h.
const prometheus::Histogram::BucketBoundaries& DeliveryBuckets() {
  static const auto* kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600};
  return *kBuckets;
}

std::string CodeClass(int http_status, int cxml_code, int smtp_code) {
  const int code = cxml_code != 0 ? cxml_code : (smtp_code != 0 ? smtp_code : http_status);
  if (code == 0) return "none";
  return absl::StrCat(code / 100, "xx");
}

constexpr const char* kStates[] = {
    "queued",      "sending", "delivered", "confirmed", "partially_confirmed",
    "backordered", "shipped", "rejected",  "failed",    "cancelled"};

}  // namespace

DispatchMetrics::DispatchMetrics(prometheus::Registry& registry)
    : submitted_(prometheus::BuildCounter()
                     .Name("iob_dispatch_orders_submitted_total")
                     .Help("Orders accepted by SubmitOrder, by mode (test/production).")
                     .Register(registry)),
      attempts_(prometheus::BuildCounter()
                    .Name("iob_dispatch_attempts_total")
                    .Help("Delivery attempts by outcome and the supplier's code class.")
                    .Register(registry)),
      delivery_seconds_(prometheus::BuildHistogram()
                            .Name("iob_dispatch_delivery_seconds")
                            .Help("Time from SubmitOrder to the supplier's acceptance.")
                            .Register(registry)),
      dead_letters_(prometheus::BuildCounter()
                        .Name("iob_dispatch_dead_letters_total")
                        .Help("Orders that failed for good (attempts or age ran out).")
                        .Register(registry)),
      inbound_(prometheus::BuildCounter()
                   .Name("iob_dispatch_inbound_documents_total")
                   .Help("Supplier documents received, by type and the cXML code answered.")
                   .Register(registry)),
      orders_(prometheus::BuildGauge()
                  .Name("iob_dispatch_orders")
                  .Help("Orders by state and mode (test/production).")
                  .Register(registry)),
      oldest_undelivered_(prometheus::BuildGauge()
                              .Name("iob_dispatch_oldest_undelivered_age_seconds")
                              .Help("Age of the oldest order not yet delivered (0: none), "
                                    "by mode (test/production).")
                              .Register(registry)),
      unconfirmed_(prometheus::BuildGauge()
                       .Name("iob_dispatch_unconfirmed_orders")
                       .Help("Delivered orders past their confirmation deadline, by mode "
                             "(test/production).")
                       .Register(registry)),
      flagged_(prometheus::BuildCounter()
                   .Name("iob_dispatch_unconfirmed_flagged_total")
                   .Help("Orders flagged unconfirmed when their deadline passed.")
                   .Register(registry)
                   .Add({})) {
  // The series alerts take increase() of exist from the start, so the first
  // rejection or refused document is seen.
  for (const char* code_class : {"4xx", "5xx"}) {
    attempts_.Add({{"outcome", "rejected"}, {"code_class", code_class}});
  }
  for (const char* type : {"ConfirmationRequest", "ShipNoticeRequest"}) {
    for (const char* code : {"200", "400", "401", "406", "409"}) {
      inbound_.Add({{"type", type}, {"code", code}});
    }
  }
  for (const char* mode : {"test", "production"}) {
    submitted_.Add({{"mode", mode}});
    dead_letters_.Add({{"mode", mode}});
    delivery_seconds_.Add({{"mode", mode}}, DeliveryBuckets());
    oldest_undelivered_.Add({{"mode", mode}});
    unconfirmed_.Add({{"mode", mode}});
    for (const char* state : kStates) orders_.Add({{"state", state}, {"mode", mode}});
  }
}

void DispatchMetrics::Submitted(bool test) { submitted_.Add({{"mode", Mode(test)}}).Increment(); }

void DispatchMetrics::Attempt(const std::string& outcome, int http_status, int cxml_code,
                              int smtp_code) {
  attempts_
      .Add({{"outcome", outcome}, {"code_class", CodeClass(http_status, cxml_code, smtp_code)}})
      .Increment();
}

void DispatchMetrics::Delivered(bool test, absl::Duration since_submit) {
  delivery_seconds_.Add({{"mode", Mode(test)}}, DeliveryBuckets())
      .Observe(absl::ToDoubleSeconds(since_submit));
}

void DispatchMetrics::DeadLetter(bool test) {
  dead_letters_.Add({{"mode", Mode(test)}}).Increment();
}

void DispatchMetrics::Inbound(const std::string& document_type, int cxml_code) {
  inbound_.Add({{"type", document_type}, {"code", absl::StrCat(cxml_code)}}).Increment();
}

void DispatchMetrics::SetOutbox(const OutboxStats& stats) {
  for (const char* mode : {"test", "production"}) {
    for (const char* state : kStates) {
      auto it = stats.by_state_and_test.find({state, std::string(mode) == "test"});
      orders_.Add({{"state", state}, {"mode", mode}})
          .Set(it == stats.by_state_and_test.end() ? 0 : static_cast<double>(it->second));
    }
  }
  for (bool test : {true, false}) {
    auto oldest = stats.oldest_undelivered_age.find(test);
    auto unconfirmed = stats.unconfirmed.find(test);
    oldest_undelivered_.Add({{"mode", Mode(test)}})
        .Set(oldest == stats.oldest_undelivered_age.end() ? 0
                                                          : absl::ToDoubleSeconds(oldest->second));
    unconfirmed_.Add({{"mode", Mode(test)}})
        .Set(unconfirmed == stats.unconfirmed.end() ? 0 : static_cast<double>(unconfirmed->second));
  }
}

void DispatchMetrics::Flagged(int n) { flagged_.Increment(n); }

}  // namespace iob::dispatch
