// Test harness for the supplier simulator: runs a SupplierSim in-process on
// 127.0.0.1:0 and talks to it through libs/http's CurlHttpClient (egress
// policy allowing 127.0.0.1 as a plain-http test host), plus helpers that
// build PunchOutSetupRequests and OrderRequests with libs/cxml's writer and
// read checkout pages the way a browser would.
#ifndef IOB_TESTS_INTEGRATION_SIM_SIM_HARNESS_H_
#define IOB_TESTS_INTEGRATION_SIM_SIM_HARNESS_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/cxml/model.h"
#include "libs/http/client.h"
#include "libs/http/server.h"
#include "tests/support/cxml_dtd.h"
#include "tools/supplier-sim/supplier_sim.h"

namespace iob::sim::testing {

// Credentials as returned by POST /admin/groups.
struct GroupCredentials {
  std::string from_identity;
  std::string shared_secret;
  std::string punchout_url;
  std::string order_url;
  std::string cart_encoding;
};

// A client whose egress policy allows http://127.0.0.1 with `total_timeout`.
std::unique_ptr<http::CurlHttpClient> LoopbackClient(
    absl::Duration total_timeout = absl::Seconds(20));

// The buyer's inbound cXML endpoint for fulfilment documents: a libs/http
// HttpServer on 127.0.0.1:0 that keeps every body posted to /cxml/fulfill
// and answers a cXML Response, 200 unless told otherwise. Thread-safe.
class FulfillmentBuyer {
 public:
  // Starts the server; fails the test when it cannot.
  FulfillmentBuyer();

  // http://127.0.0.1:<port>/cxml/fulfill
  const std::string& url() const { return url_; }
  // The next answers carry these cXML codes (then 200 again).
  void AnswerNext(std::vector<int> codes);
  std::vector<std::string> bodies() const;
  // Waits (up to 20 s) until at least `n` documents arrived; returns them.
  std::vector<std::string> WaitForDocuments(size_t n) const;

 private:
  http::HttpServer server_;
  std::string url_;
  mutable absl::Mutex mu_;
  std::vector<std::string> bodies_ ABSL_GUARDED_BY(mu_);
  std::vector<int> codes_ ABSL_GUARDED_BY(mu_);
};

class SimHarness {
 public:
  // Starts the simulator (port forced to 0); aborts the test on failure.
  explicit SimHarness(SimOptions options = {});
  ~SimHarness();

  SupplierSim& sim() { return *sim_; }
  std::string base() const { return base_; }

  absl::StatusOr<http::HttpResponse> Get(const std::string& path);
  absl::StatusOr<http::HttpResponse> Post(const std::string& path, const std::string& body,
                                          const std::string& content_type);
  // application/x-www-form-urlencoded, fields encoded like a browser does.
  // Sent with plain libcurl (no egress policy), because the shop answers
  // form posts with 303 See Other, which HttpClient refuses by design; the
  // redirect is not followed: status 303 and the Location header come back.
  absl::StatusOr<http::HttpResponse> PostForm(
      const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields);

  // POST /admin/groups with `json`; fails the test unless 201.
  GroupCredentials CreateGroup(const std::string& json = "{}");

  // POSTs `xml` to /punchout and reads the cXML Response. Errors from the
  // transport or the reader are returned.
  absl::StatusOr<cxml::Response> PunchOut(const std::string& xml);
  // The same for /order.
  absl::StatusOr<cxml::Response> Order(const std::string& xml);

  // Runs a successful setup and returns the session token of the StartPage.
  std::string StartSession(const GroupCredentials& group,
                           const cxml::PunchOutSetupRequest& request);

 private:
  std::unique_ptr<SupplierSim> sim_;
  std::unique_ptr<http::CurlHttpClient> client_;
  std::string base_;
};

// A request document as a buyer sends it: From and Sender NetworkID
// `identity` (Sender with `secret`), To NetworkID "Amazon", a fresh payloadID.
cxml::Document BuyerDocument(const std::string& identity, const std::string& secret,
                             cxml::Body body);
// WriteDocument(doc); aborts on writer failure.
std::string WriteOrDie(const cxml::Document& doc);

// A PunchOutSetupRequest document from `identity` with `secret` in Sender.
cxml::Document SetupDocument(const std::string& identity, const std::string& secret,
                             const cxml::PunchOutSetupRequest& request);
// WriteDocument(SetupDocument(...)); aborts on writer failure.
std::string SetupXml(const std::string& identity, const std::string& secret,
                     const cxml::PunchOutSetupRequest& request);

// An Amazon-acceptable OrderRequest: type "new", orderVersion "1", a header
// ShipTo and BillTo, `lines` ItemOut lines (libs/cxml's example lines).
cxml::OrderRequest SampleOrder(const std::string& order_id, int lines = 2);

// A create request with BuyerCookie `cookie`, BrowserFormPost `post_url`,
// UserEmail / UniqueName / UserBusinessUnit extrinsics and a ShipTo.
cxml::PunchOutSetupRequest CreateRequest(const std::string& cookie, const std::string& post_url);

// Undoes HtmlEscape (the five entities it writes, plus &#NN;).
std::string HtmlUnescape(const std::string& s);

// The value of the attribute `attr` of the first tag containing `marker`
// (e.g. marker "name=\"cxml-urlencoded\"", attr "value"), unescaped; "" when
// absent.
std::string AttributeOf(const std::string& html, const std::string& marker,
                        const std::string& attr);

// What a browser submits for the checkout page's form: the hidden field's
// name and (unescaped) value, form-encoded. "" when the page has no such form.
std::string BrowserFormBody(const std::string& checkout_html);

// The document a checkout page carries, read the way iob reads a form post
// (cxml::ExtractCxml, then the reader).
absl::StatusOr<cxml::Document> DecodeCheckoutPage(const std::string& checkout_html);

// The first header named `name` (case-insensitive), or "".
std::string HeaderValue(const http::HttpResponse& res, const std::string& name);

// The session token at the end of a StartPage URL.
std::string TokenOf(const std::string& start_page_url);

// xmllint DTD validation (tests/support/cxml_dtd.h).
using ::iob::testing::DtdDir;
using ::iob::testing::DtdDirTried;
using ::iob::testing::DtdSkipReason;
using ::iob::testing::HaveXmllint;
using ::iob::testing::XmllintValidate;

}  // namespace iob::sim::testing

#endif  // IOB_TESTS_INTEGRATION_SIM_SIM_HARNESS_H_
