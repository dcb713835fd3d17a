// The supplier's documents after an order: ConfirmationRequest and
// ShipNoticeRequest, received on the HTTP edge through libs/supplier's
// InboundEndpoint (which has read them under limits and verified the
// sender's shared secret), turned into what they do to the order.
#ifndef IOB_SERVICES_DISPATCH_FULFILLMENT_H_
#define IOB_SERVICES_DISPATCH_FULFILLMENT_H_

#include "absl/status/status.h"
#include "libs/cxml/model.h"
#include "libs/supplier/endpoint.h"
#include "services/dispatch/order_store.h"

namespace iob::dispatch {

// The path the edge serves them on.
inline constexpr char kFulfillmentPath[] = "/cxml/fulfill";

// Thread-safe; borrows the store.
class FulfillmentHandler {
 public:
  explicit FulfillmentHandler(OrderStore* store) : store_(store) {}

  // The InboundHandler: applies `document` from `sender` to the order it
  // refers to. INVALID_ARGUMENT for another document type or a missing
  // order reference; the store's errors (409 for an order that is not this
  // supplier's, or cannot take it). A replayed payloadID is OK and changes
  // nothing.
  absl::Status Handle(const supplier::VerifiedSender& sender, const cxml::Document& document);

 private:
  OrderStore* const store_;
};

}  // namespace iob::dispatch

#endif  // IOB_SERVICES_DISPATCH_FULFILLMENT_H_
