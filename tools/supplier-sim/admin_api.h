// The simulator's admin API (JSON), for people, tests and ./iob demo:
//
//   POST /admin/groups                 create a punchout group; body optional:
//                                      {"from_identity", "shared_secret",
//                                       "cart_encoding": "urlencoded"|"base64",
//                                       "accepts_changes": false}
//                                      (missing credentials are generated) ->
//                                      201 {from_identity, shared_secret,
//                                      punchout_url, order_url, cart_encoding,
//                                      accepts_changes}
//   GET  /admin/groups                 {"groups": [...]} (same objects)
//   POST /admin/groups/<identity>      {"cart_encoding": ...} -> the group
//   GET  /admin/faults                 current faults (faults.h shape)
//   POST /admin/faults                 replace all faults (faults.h shape)
//   POST /admin/faults/clear           remove all faults
//   GET  /admin/stats                  {"endpoints": {name: {"received": n,
//                                       "outcomes": {outcome: n}}}}
//   POST /admin/stats/reset            forget counters, kept documents and orders
//   GET  /admin/received?endpoint=E    {"endpoint", "documents": [{"at", "body"}]}
//   GET  /admin/sent?endpoint=E        same, for documents the sim produced
//        (&format=raw on either: the newest body as-is, 404 when none)
//   GET  /admin/sessions/<token>       a session: operation, buyer_cookie,
//                                      browser_form_post_url, extrinsics,
//                                      ship_to, request_items, cart, checkouts
//   GET  /admin/orders                 {"orders": [{order_id, received,
//                                      accepted, payload_ids: {pid: n}, types,
//                                      versions, last_payload_id,
//                                      document_references, deployment_mode}],
//                                      "total_received", "duplicates"}
//   GET  /admin/orders/<orderID>       one of those objects (404 unknown)
//   GET  /admin/fulfillment            the fulfilment settings (fulfillment.h)
//   POST /admin/fulfillment            replace them (400 names a bad key)
//   GET  /admin/invoicing              the invoicing settings, {"enabled": false}
//                                      when off (invoicing.h)
//   POST /admin/invoicing              turn invoicing on with these settings
//                                      (400 names a bad key; nothing changes then)
//   POST /admin/invoicing/clear        turn it off
//   GET  /admin/invoices               {"invoices": [{invoice_number, order_id,
//                                      to, delivery, outcome, error, ...}],
//                                      "sent", "failed"}, oldest first
//   GET  /healthz                      "ok"
//
// (PUT/DELETE are not used because libs/http's HttpServer routes only GET and
// POST.) Errors are {"error": "..."} with 400 / 404 / 409.
#ifndef IOB_TOOLS_SUPPLIER_SIM_ADMIN_API_H_
#define IOB_TOOLS_SUPPLIER_SIM_ADMIN_API_H_

#include <httplib.h>

#include <string>

#include "tools/supplier-sim/fulfillment.h"
#include "tools/supplier-sim/invoicing.h"
#include "tools/supplier-sim/sim_context.h"
#include "tools/supplier-sim/sim_state.h"

namespace iob::sim {

// Thread-safe (state lives in the context, the order book, the fulfiller
// and the invoicer, which must outlive it).
class AdminApi {
 public:
  AdminApi(SimContext ctx, OrderBook& orders, Fulfiller& fulfiller, Invoicer& invoicer)
      : ctx_(ctx), orders_(orders), fulfiller_(fulfiller), invoicer_(invoicer) {}

  void CreateGroup(const httplib::Request& req, httplib::Response& res) const;
  void ListGroups(const httplib::Request& req, httplib::Response& res) const;
  void UpdateGroup(const httplib::Request& req, httplib::Response& res) const;  // matches[1]
  void GetFaults(const httplib::Request& req, httplib::Response& res) const;
  void SetFaults(const httplib::Request& req, httplib::Response& res) const;
  void ClearFaults(const httplib::Request& req, httplib::Response& res) const;
  void GetStats(const httplib::Request& req, httplib::Response& res) const;
  void ResetStats(const httplib::Request& req, httplib::Response& res) const;
  void GetReceived(const httplib::Request& req, httplib::Response& res) const;
  void GetSent(const httplib::Request& req, httplib::Response& res) const;
  void GetSession(const httplib::Request& req, httplib::Response& res) const;  // matches[1]
  void ListOrders(const httplib::Request& req, httplib::Response& res) const;
  void GetOrder(const httplib::Request& req, httplib::Response& res) const;  // matches[1]
  void GetFulfillment(const httplib::Request& req, httplib::Response& res) const;
  void SetFulfillment(const httplib::Request& req, httplib::Response& res) const;
  void GetInvoicing(const httplib::Request& req, httplib::Response& res) const;
  void SetInvoicing(const httplib::Request& req, httplib::Response& res) const;
  void ClearInvoicing(const httplib::Request& req, httplib::Response& res) const;
  void ListInvoices(const httplib::Request& req, httplib::Response& res) const;

  // The JSON object describing `group` (credentials and URLs).
  std::string GroupJson(const Group& group) const;

 private:
  void Documents(bool sent, const httplib::Request& req, httplib::Response& res) const;

  SimContext ctx_;
  OrderBook& orders_;
  Fulfiller& fulfiller_;
  Invoicer& invoicer_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_ADMIN_API_H_
