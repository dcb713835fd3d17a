// The invoice-intake stack the producers, hostile-mail and database-down
// suites run against (on top of tests/support/test_stack.h): credentials,
// the supplier simulator, dispatch and invoice intake as child processes,
// the intake polling a Maildir; shipped orders to invoice; the tenant's
// address; mail as the receiving server stores it; the intake's RPCs.
//
// Principals (one tokens file):
//   dispatch        integrations.read, secrets.resolve, suppliers.verify   every tenant
//   invoice-intake  integrations.read, suppliers.verify, orders.read       every tenant
//   admin           integrations.*, rules.write, orders.*, invoices.*      acme
//   platform        orders.*, invoices.*                                   acme
//   gateway         messages.ingest                                        every tenant
#ifndef IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_STACK_H_
#define IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_STACK_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "tests/integration/invoice-intake/intake_test_util.h"
#include "tests/support/test_stack.h"

namespace iob::invoice::testing {

namespace ipb = ::iob::invoice::v1;
using ::iob::testing::TestStack;

// The stack above, every service started; nullptr when IOB_TEST_PG_URL is
// unset or a service failed (then `*error` says why). The intake reads
// `maildir` (created with new/, cur/ and tmp/) every 100 ms, with mail
// domain invoices.iob.test, trusted authserv-id mx.iob.example (see
// kVerifiedAmazon) and a match policy of price 1% or 0.05, quantity exact,
// tax 1% or 0.05, total 0.5% or 0.10; `intake_flags` come after those.
std::unique_ptr<TestStack> StartIntakeStack(const std::string& maildir, std::string* error,
                                            const std::vector<std::string>& intake_flags = {});

// Creates the Amazon integration `integration_id` of acme at the simulator
// (which confirms and ships every order at once) and submits one order per
// PO in `pos` through it, lines 1..n with the supplier parts `parts`, each
// quantity 2 at 10.50 USD; waits until each is shipped. Returns the
// integration's name; adds test failures and returns "" when something fails.
std::string ShipOrders(TestStack& stack, const std::string& integration_id,
                       const std::vector<std::string>& pos,
                       const std::vector<std::string>& parts = {"SKU-1", "SKU-2"});

// acme's e-invoicing address (GetInvoicingAddress as admin).
std::string Address(TestStack& stack);

// `raw` as the receiving server stores it: its Authentication-Results header
// (`results`) on top (RFC 8601 section 5).
std::string Received(const std::string& raw, const std::string& results = kVerifiedAmazon);

// IngestMessage as gateway, waiting at most `deadline`; adds a test
// failure when the call fails.
ipb::Message Ingest(TestStack& stack, const std::string& raw,
                    absl::Duration deadline = absl::Seconds(20));
// GetInvoice as platform; adds a test failure when the call fails.
ipb::Invoice GetInvoice(TestStack& stack, const std::string& name);
// acme's invoices that name `po` (ListInvoices as platform, one page of 50).
std::vector<ipb::Invoice> InvoicesForPo(TestStack& stack, const std::string& po);

// The peak resident set of process `pid` (VmHWM in /proc/<pid>/status), in
// bytes; NOT_FOUND when it cannot be read.
absl::StatusOr<int64_t> PeakRssBytes(pid_t pid);

// The names of the regular files in <maildir>/<sub> ("new", ".Processed/cur").
std::vector<std::string> FilesIn(const std::string& maildir, const std::string& sub);

}  // namespace iob::invoice::testing

#endif  // IOB_TESTS_INTEGRATION_INVOICE_INTAKE_INTAKE_STACK_H_
