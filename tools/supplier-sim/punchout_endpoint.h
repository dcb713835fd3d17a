// POST /punchout: answers PunchOutSetupRequest as a supplier does.
//
//  - The From credential must name a punchout group, and a Sender credential
//    with the same identity must carry the group's shared secret; otherwise
//    cXML Status 401.
//  - Malformed or non-PunchOutSetupRequest bodies get the reader's reason in
//    a cXML 400 (417 when over the size/depth limits); a missing or non-http(s)
//    BrowserFormPost URL is a 400 too.
//  - Success: a session keeping BuyerCookie, BrowserFormPost URL, extrinsics,
//    ShipTo and (edit/inspect) the ItemOut lines as the starting cart, and a
//    PunchOutSetupResponse whose StartPage URL is <public-url>/shop/<token>.
// Every answer is HTTP 200 with a cXML Response (the Status code carries the
// outcome); only injected faults produce HTTP errors.
#ifndef IOB_TOOLS_SUPPLIER_SIM_PUNCHOUT_ENDPOINT_H_
#define IOB_TOOLS_SUPPLIER_SIM_PUNCHOUT_ENDPOINT_H_

#include <httplib.h>

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "libs/cxml/model.h"
#include "tools/supplier-sim/sim_context.h"

namespace iob::sim {

// Thread-safe (state lives in the context).
class PunchOutEndpoint {
 public:
  // Name used for statistics, received documents and faults.
  static constexpr char kName[] = "punchout";

  explicit PunchOutEndpoint(SimContext ctx) : ctx_(ctx) {}

  void Handle(const httplib::Request& req, httplib::Response& res) const;

 private:
  // Answers one request (after the fault frame); returns the outcome name.
  std::string Answer(const FaultDecision& fault, const httplib::Request& req,
                     httplib::Response& res) const;
  // Creates the session; returns the answer to send.
  cxml::Response StartSession(const cxml::Document& doc, const Group& group,
                              const cxml::Credential& from) const;

  SimContext ctx_;
};

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_PUNCHOUT_ENDPOINT_H_
