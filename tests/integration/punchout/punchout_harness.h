// Shared setup for the punchout integration and browser tests: a fresh
// database with one role per service schema, bearer tokens, and the REAL
// iob-credentials, iob-supplier-sim and iob-punchout binaries as child
// processes on kernel-picked ports, wired as ./iob up wires them; plus a
// libcurl "browser" that shops on the simulator and posts the cart back the
// way a browser submits the checkout page's auto-post form.
//
// Principals (one tokens file, read by both services):
//   punchout        integrations.read, secrets.resolve   every tenant (iob-punchout's own)
//   admin           integrations.read/write               acme, globex, listco
//   platform        punchout.read, punchout.start         acme, listco
//   globex-platform punchout.read, punchout.start         globex
//   acme-reader     punchout.read                         acme
#ifndef IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_HARNESS_H_
#define IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_HARNESS_H_

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "tests/support/pg_test_db.h"
#include "tests/support/service_process.h"

namespace iob::punchout::testing {

namespace pb = ::iob::punchout::v1;
namespace cpb = ::iob::credentials::v1;
using ::iob::testing::ServiceProcess;

// ---- plain HTTP (libcurl) ---------------------------------------------------

struct HttpResult {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string location;  // Location header of a redirect (when not followed)
  std::string effective_url;
};

// One request, no proxy, 20 s timeout. `follow` follows redirects the way a
// browser does (303 -> GET). UNAVAILABLE when the transfer fails.
absl::StatusOr<HttpResult> Http(const std::string& method, const std::string& url,
                                const std::string& body = "", const std::string& content_type = "",
                                bool follow = false);

// ---- the simulator's side ---------------------------------------------------

// A punchout group as POST /admin/groups returns it.
struct SimGroup {
  std::string from_identity;
  std::string shared_secret;
  std::string punchout_url;
  std::string order_url;
  std::string cart_encoding;
};

// ---- a browser on the simulator's pages ------------------------------------

// The checkout page's auto-post form: action URL, hidden field and its
// (HTML-unescaped) value.
struct AutoPostForm {
  std::string action;
  std::string field;
  std::string value;
};

// Undoes the HTML escaping of attribute values (&amp; &lt; &gt; &quot; &#39;
// and numeric references).
std::string HtmlUnescape(const std::string& s);

// Reads the form with id="cxml-return" from a checkout page.
absl::StatusOr<AutoPostForm> ParseAutoPostForm(const std::string& html);

// `field`=`value` form-encoded as a browser submits it.
std::string FormBody(const std::string& field, const std::string& value);

// Opens `start_page_url`, submits the "Add to cart" form of each SKU with its
// quantity, then the checkout form; returns the checkout page's HTML.
// Each step fails (with the page) unless the simulator answers 200.
absl::StatusOr<std::string> ShopAndCheckout(const std::string& start_page_url,
                                            const std::vector<std::pair<std::string, int>>& items);

// Like ShopAndCheckout, but removes every line of the cart (the remove
// buttons) before checking out.
absl::StatusOr<std::string> EmptyCartAndCheckout(const std::string& start_page_url);

// Submits the checkout page's form to its action as a browser would.
absl::StatusOr<HttpResult> SubmitAutoPost(const AutoPostForm& form);

// ---- the whole stack -------------------------------------------------------

struct StackOptions {
  std::string supplier_timeout = "2s";
  std::string session_ttl = "1h";
};

// Not thread-safe; use from the test's thread.
class PunchoutStack {
 public:
  // Database, roles, tokens, then credentials, the simulator and punchout,
  // each waited for. nullptr when IOB_TEST_PG_URL is unset (callers skip);
  // a failed start is reported through `error`.
  static std::unique_ptr<PunchoutStack> Create(const StackOptions& options, std::string* error);
  ~PunchoutStack();

  // Another iob-punchout on the same database and peers, with `extra_args`
  // (later flags win) ; waits until it serves and sets `*http_port`.
  absl::StatusOr<std::unique_ptr<ServiceProcess>> StartPunchout(
      const std::vector<std::string>& extra_args, int* http_port);

  // Simulator.
  std::string sim_url() const;  // http://127.0.0.1:<port>
  int sim_port() const { return sim_port_; }
  absl::StatusOr<SimGroup> CreateSimGroup(const std::string& json = "{}");
  absl::StatusOr<nlohmann::json> SimGet(const std::string& path);
  absl::StatusOr<nlohmann::json> SimPost(const std::string& path, const std::string& json);
  // The bodies the simulator received at `endpoint` ("punchout"), oldest first.
  absl::StatusOr<std::vector<std::string>> SimReceived(const std::string& endpoint);
  // /admin/stats endpoints.<endpoint>.outcomes.<outcome> (0 when absent).
  int64_t SimOutcomeCount(const std::string& endpoint, const std::string& outcome);

  // Credentials: a TEST-mode Amazon Business integration holding the
  // group's four values. `punchout_url` overrides the group's.
  absl::StatusOr<cpb::Integration> CreateIntegration(const std::string& tenant,
                                                     const std::string& id, const SimGroup& group,
                                                     const std::string& punchout_url = "");

  // Stubs and contexts ("" = no authorization header).
  std::unique_ptr<pb::PunchoutService::Stub> Punchout() const;
  std::unique_ptr<pb::PunchoutService::Stub> PunchoutAt(const std::string& address) const;
  std::unique_ptr<cpb::CredentialsService::Stub> Credentials() const;
  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& principal) const;

  // StartSession for a create session of `email` as `principal`.
  grpc::Status StartCreate(const std::string& tenant, const std::string& integration,
                           const std::string& email, pb::Session* out,
                           const std::string& principal = "platform");

  // punchout's metrics: the value of iob_punchout_sessions_started_total for
  // `outcome` (summed over suppliers); -1 when /metrics cannot be read.
  double StartedTotal(const std::string& outcome) const;
  // The whole /metrics text ("" when unavailable).
  std::string Metrics() const;

  int punchout_http_port() const { return punchout_http_port_; }
  ServiceProcess& punchout() { return *punchout_; }
  ServiceProcess& credentials() { return *credentials_; }
  ServiceProcess& sim() { return *sim_; }
  const std::string& dir() const { return dir_; }

 private:
  PunchoutStack() = default;
  std::vector<std::string> PunchoutArgs() const;

  StackOptions options_;
  std::unique_ptr<iob::testing::PgTestDatabase> db_;
  iob::testing::ServiceRole credentials_role_, punchout_role_;
  std::string dir_;
  iob::testing::TestSecrets secrets_;
  std::string punchout_token_file_;
  std::unique_ptr<ServiceProcess> credentials_, sim_, punchout_;
  int sim_port_ = 0;
  int punchout_http_port_ = 0;
  int extra_index_ = 0;
};

// The value of the sample `name{labels}` in a Prometheus text page, summed
// over every sample whose labels include all of `labels`; 0 when none.
double SampleSum(const std::string& metrics, const std::string& name,
                 const std::map<std::string, std::string>& labels);

}  // namespace iob::punchout::testing

#endif  // IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_HARNESS_H_
