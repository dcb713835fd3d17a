// What the punchout integration and browser tests share on top of the test
// stack (tests/support/test_stack.h): their stack (iob-credentials,
// iob-supplier-sim and iob-punchout, all started) with its principals, the
// punchout-specific calls, and a libcurl "browser" that shops on the
// simulator and posts the cart back the way a browser submits the checkout
// page's auto-post form.
//
// Principals (one tokens file, read by both services):
//   punchout        integrations.read, secrets.resolve   every tenant (iob-punchout's own)
//   admin           integrations.read/write               acme, globex, listco
//   platform        punchout.read, punchout.start         acme, listco
//   globex-platform punchout.read, punchout.start         globex
//   acme-reader     punchout.read                         acme
#ifndef IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_TEST_UTIL_H_
#define IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_TEST_UTIL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "tests/support/shared_stack_test.h"
#include "tests/support/test_stack.h"

namespace iob::punchout::testing {

namespace pb = ::iob::punchout::v1;
namespace cpb = ::iob::credentials::v1;
using ::iob::testing::Http;
using ::iob::testing::HttpResult;
using ::iob::testing::SampleSum;
using ::iob::testing::Service;
using ::iob::testing::ServiceProcess;
using ::iob::testing::SimGroup;
using ::iob::testing::TestStack;

// ---- the stack --------------------------------------------------------------

struct PunchoutStackOptions {
  std::string supplier_timeout = "2s";
  std::string session_ttl = "1h";
  bool mtls = false;  // StackOptions::mtls: credentials serves mTLS only
};

// A stack with the principals above; credentials, the simulator and punchout
// started and waited for. nullptr when IOB_TEST_PG_URL is unset (callers
// skip) or a service failed to start (then `*error` says why).
std::unique_ptr<TestStack> StartPunchoutStack(const PunchoutStackOptions& options,
                                              std::string* error);

// The fixture of every punchout suite: one stack per suite, started with
// Suite::StackOptions() (the defaults unless the suite declares its own).
template <typename Suite>
class PunchoutStackTest : public ::iob::testing::SharedStackTest<PunchoutStackTest<Suite>> {
 public:
  static PunchoutStackOptions StackOptions() { return {}; }
  static std::unique_ptr<TestStack> StartStack(std::string* error) {
    return StartPunchoutStack(Suite::StackOptions(), error);
  }
};

// Credentials, as "admin": a TEST-mode Amazon Business integration holding
// the group's four values. `punchout_url` overrides the group's. The RPC's
// error (code kept) on failure.
absl::StatusOr<cpb::Integration> CreateIntegration(TestStack& stack, const std::string& tenant,
                                                   const std::string& id, const SimGroup& group,
                                                   const std::string& punchout_url = "");

// StartSession for a create session of `email` as `principal`.
grpc::Status StartCreate(TestStack& stack, const std::string& tenant,
                         const std::string& integration, const std::string& email, pb::Session* out,
                         const std::string& principal = "platform");

// punchout's metrics: the value of iob_punchout_sessions_started_total for
// `outcome` (summed over suppliers); -1 when /metrics cannot be read.
double StartedTotal(TestStack& stack, const std::string& outcome);

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

// A whole punchout as "platform": starts a create session of `email` with
// `integration`, shops `items` on the simulator and posts the cart back
// (the session is then cart_received). The first failing step's error.
absl::StatusOr<pb::Session> ShopAndReturnCart(
    TestStack& stack, const std::string& tenant, const std::string& integration,
    const std::string& email, const std::vector<std::pair<std::string, int>>& items);

}  // namespace iob::punchout::testing

#endif  // IOB_TESTS_INTEGRATION_PUNCHOUT_PUNCHOUT_TEST_UTIL_H_
