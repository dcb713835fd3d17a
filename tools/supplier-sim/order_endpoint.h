// POST /order: answers cXML OrderRequests as Amazon Business does (the PO
// request URL written into the group credentials as order_url).
//
//  - Malformed, not an OrderRequest, or missing required parts: cXML 400 with
//    the reader's reason (417 when over the size/depth limits).
//  - Credentials are checked like /punchout (GroupRegistry::Authenticate):
//    otherwise cXML 401.
//  - Order rules (CheckOrderRules): Amazon groups take type "new" only
//    (400 "001-001: ..."); every new or update order needs a ShipTo, in
//    OrderRequestHeader or on every ItemOut (400 "001-005: ...").
//  - Accepted: cXML 200 OK. A payloadID received again is answered the same
//    way again (idempotent, as Amazon does) but counted as a duplicate, and
//    an order already accepted under that payloadID is not fulfilled twice.
//  - Every readable OrderRequest is counted in the OrderBook (whatever the
//    answer); an accepted new or update order is handed to the Fulfiller.
// Every answer is HTTP 200 with a cXML Response; only injected faults produce
// HTTP errors.
#ifndef IOB_TOOLS_SUPPLIER_SIM_ORDER_ENDPOINT_H_
#define IOB_TOOLS_SUPPLIER_SIM_ORDER_ENDPOINT_H_

#include <httplib.h>

#include <string>

#include "absl/status/status.h"
#include "libs/cxml/model.h"
#include "tools/supplier-sim/fulfillment.h"
#include "tools/supplier-sim/sim_context.h"
#include "tools/supplier-sim/sim_state.h"

namespace iob::sim {

// The supplier's rules for an authenticated order. OK, or INVALID_ARGUMENT
// with Amazon's error code first: "001-001: ..." for a type other than "new"
// when `accepts_changes` is false, "001-005: ..." for a new or update order
// without a ShipTo (neither OrderRequestHeader/ShipTo nor one on every
// ItemOut). Pure.
absl::Status CheckOrderRules(const cxml::OrderRequest& order, bool accepts_changes);

// Thread-safe (state lives in the context, the order book and the
// fulfiller, which must outlive it).
class OrderEndpoint {
 public:
  // Name used for statistics, received documents and faults.
  static constexpr char kName[] = "order";

  OrderEndpoint(SimContext ctx, OrderBook& orders, Fulfiller& fulfiller)
      : ctx_(ctx), orders_(orders), fulfiller_(fulfiller) {}

  void Handle(const httplib::Request& req, httplib::Response& res) const;

 private:
  // Answers one request (after the fault frame); returns the outcome name.
  std::string Answer(const FaultDecision& fault, const httplib::Request& req,
                     httplib::Response& res) const;
  // Authenticates, applies the rules, counts the receipt and plans the
  // fulfilment; returns the answer to send.
  cxml::Response Process(const cxml::Document& doc) const;

  SimContext ctx_;
  OrderBook& orders_;
  Fulfiller& fulfiller_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_ORDER_ENDPOINT_H_
