// Postgres down while the intake polls its Maildir ("store first", issue
// 11): with the database stopped, invoice mail that arrives stays in new/
// (nothing is acknowledged before it is stored) and the service stays up;
// once the database is back every message is stored exactly once, read and
// matched. The stack runs on a Postgres cluster of this test's own: the
// shared one behind IOB_TEST_PG_URL serves other tests and is never stopped.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/integration/invoice-intake/intake_stack.h"
#include "tests/integration/invoice-intake/intake_test_util.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/wait.h"

namespace iob::invoice::testing {
namespace {

using ::iob::testing::PgCluster;
using ::iob::testing::Service;
using ::iob::testing::ServiceProcess;
using ::iob::testing::TestEnv;
using ::iob::testing::WaitFor;
using ::testing::IsEmpty;
using ::testing::SizeIs;

// Logged by the intake's poller for each message it could not store.
constexpr char kNotStored[] = "storing a message failed";

TEST(IntakePostgresDownTest, NothingLeavesTheMaildirBeforeItIsStoredAndEachIsStoredOnce) {
  const std::string shared = TestEnv("IOB_TEST_PG_URL", "");
  if (shared.empty()) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  absl::StatusOr<std::unique_ptr<PgCluster>> cluster = PgCluster::Start();
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  // TestStack makes its database on the server IOB_TEST_PG_URL names: this
  // cluster, for this test (its only one) and until the stack is gone.
  setenv("IOB_TEST_PG_URL", (*cluster)->url().c_str(), 1);
  const std::string maildir = ::iob::testing::MakeTempDir("pgdown-maildir-");
  std::string error;
  std::unique_ptr<TestStack> stack = StartIntakeStack(maildir, &error);
  ASSERT_NE(stack, nullptr) << error;
  const std::vector<std::string> pos = {"PO-DOWN-1", "PO-DOWN-2", "PO-DOWN-3"};
  ASSERT_FALSE(ShipOrders(*stack, "pgdown", pos).empty());
  const std::string to = Address(*stack);
  ServiceProcess& intake = stack->process(Service::kInvoiceIntake);

  ASSERT_TRUE((*cluster)->Stop().ok());
  const int failed_before = intake.CountLogMessages(kNotStored);
  for (size_t i = 0; i < pos.size(); ++i) {
    ::iob::testing::WriteFileAtomically(
        absl::StrCat(maildir, "/new/17000000", i, ".down.test"),
        InvoiceMail(to, "invoices@amazon.com",
                    CxmlInvoice(absl::StrCat("DOWN-", i + 1), pos[i],
                                {{"SKU-1", "2", "10.50"}, {"SKU-2", "2", "10.50"}}, "42.00"),
                    kVerifiedAmazon, absl::StrCat("down-", i + 1)));
  }
  // Two polls at least have tried to store each one, and failed.
  WaitFor(
      [&] {
        return intake.CountLogMessages(kNotStored) >=
               failed_before + 2 * static_cast<int>(pos.size());
      },
      "two polls failing to store every message");
  EXPECT_THAT(FilesIn(maildir, "new"), SizeIs(pos.size()));
  EXPECT_THAT(FilesIn(maildir, ".Processed/cur"), IsEmpty());
  EXPECT_THAT(FilesIn(maildir, ".Quarantine/cur"), IsEmpty());
  // Up, and answering its health checks (NOT_SERVING without a database).
  EXPECT_TRUE(intake.Running());
  EXPECT_NE(::iob::testing::HealthStatus(stack->Channel(Service::kInvoiceIntake)),
            grpc::health::v1::HealthCheckResponse::UNKNOWN);

  ASSERT_TRUE((*cluster)->Restart().ok());
  WaitFor([&] { return FilesIn(maildir, "new").empty(); }, "the Maildir emptied",
          absl::Seconds(90));
  EXPECT_THAT(FilesIn(maildir, ".Processed/cur"), SizeIs(pos.size()));
  for (const std::string& po : pos) {
    std::vector<ipb::Invoice> found;
    WaitFor(
        [&] {
          found = InvoicesForPo(*stack, po);
          return !found.empty() && found[0].state() == ipb::INVOICE_STATE_MATCHED;
        },
        "the invoice for " + po + " matched");
    ASSERT_THAT(found, SizeIs(1)) << po;
    EXPECT_EQ(found[0].sources_size(), 1) << found[0].DebugString();
  }
  // Stored exactly once each, and read.
  pqxx::result messages = stack->AdminQuery(
      "SELECT count(*), count(DISTINCT sha256), count(*) FILTER (WHERE state = 'processed') "
      "FROM invoice_intake.messages");
  EXPECT_EQ(messages[0][0].as<int>(), static_cast<int>(pos.size()));
  EXPECT_EQ(messages[0][1].as<int>(), static_cast<int>(pos.size()));
  EXPECT_EQ(messages[0][2].as<int>(), static_cast<int>(pos.size()));
  EXPECT_EQ(
      stack->AdminQuery("SELECT count(*) FROM invoice_intake.invoice_sources")[0][0].as<int>(),
      static_cast<int>(pos.size()));

  stack.reset();  // its database lives on the cluster
  setenv("IOB_TEST_PG_URL", shared.c_str(), 1);
  ::iob::testing::RemoveTree(maildir);
}

}  // namespace
}  // namespace iob::invoice::testing
