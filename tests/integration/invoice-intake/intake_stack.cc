#include "tests/integration/invoice-intake/intake_stack.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "tests/integration/dispatch/dispatch_test_util.h"

namespace iob::invoice::testing {

namespace dpb = ::iob::dispatch::v1;
using ::iob::testing::Service;

std::unique_ptr<TestStack> StartIntakeStack(const std::string& maildir, std::string* error,
                                            const std::vector<std::string>& intake_flags) {
  for (const char* sub : {"/new", "/cur", "/tmp"}) {
    std::filesystem::create_directories(maildir + sub);
  }
  const std::set<std::string> invoices = {"orders.read", "orders.write", "invoices.read",
                                          "invoices.write"};
  std::vector<std::string> intake = {"--mail-domain",
                                     "invoices.iob.test",
                                     "--maildir",
                                     maildir,
                                     "--trusted-authserv-id",
                                     "mx.iob.example",
                                     "--poll-interval",
                                     "100ms",
                                     "--match-policy",
                                     "price=1%|0.05,quantity=0%|0,tax=1%|0.05,total=0.5%|0.10"};
  intake.insert(intake.end(), intake_flags.begin(), intake_flags.end());
  const std::vector<Service> services = {Service::kCredentials, Service::kSupplierSim,
                                         Service::kDispatch, Service::kInvoiceIntake};
  auto stack = TestStack::Create({
      .services = services,
      .principals =
          {{"dispatch", {"integrations.read", "secrets.resolve", "suppliers.verify"}, {"*"}},
           {"invoice-intake", {"integrations.read", "suppliers.verify", "orders.read"}, {"*"}},
           {"admin",
            {"integrations.read", "integrations.write", "rules.write", "orders.read",
             "orders.write", "invoices.read", "invoices.write"},
            {"acme"}},
           {"platform", invoices, {"acme"}},
           {"gateway", {"messages.ingest"}, {"*"}}},
      .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                {Service::kDispatch,
                 {"--retry-base", "50ms", "--poll-interval", "50ms", "--lease", "6s",
                  "--supplier-timeout", "2s"}},
                {Service::kInvoiceIntake, intake}},
  });
  if (stack == nullptr) return nullptr;
  for (Service s : services) {
    if (absl::Status st = stack->Start(s); !st.ok()) {
      *error = st.ToString();
      return nullptr;
    }
  }
  return stack;
}

std::string ShipOrders(TestStack& stack, const std::string& integration_id,
                       const std::vector<std::string>& pos, const std::vector<std::string>& parts) {
  using ::iob::dispatch::testing::Approved;
  using ::iob::dispatch::testing::MakeOrder;
  auto in = ::iob::dispatch::testing::CreateSimIntegration(
      stack, "acme", integration_id, ::iob::dispatch::testing::Profile::kAmazon);
  EXPECT_TRUE(in.ok()) << in.status();
  if (!in.ok()) return "";
  absl::Status fulfil =
      ::iob::dispatch::testing::SimFulfillment(stack, R"("confirm":"accept","ship_notice":true)");
  EXPECT_TRUE(fulfil.ok()) << fulfil;
  for (const std::string& po : pos) {
    dpb::OrderContent content = MakeOrder(po, static_cast<int>(parts.size()));
    for (int i = 0; i < content.lines_size(); ++i) {
      content.mutable_lines(i)->set_supplier_part_id(parts[i]);
    }
    dpb::Order order;
    grpc::Status st =
        ::iob::dispatch::testing::Submit(stack, "acme", in->name, content, Approved(), &order);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) return "";
    auto shipped =
        ::iob::dispatch::testing::WaitForState(stack, order.name(), dpb::ORDER_STATE_SHIPPED);
    EXPECT_TRUE(shipped.ok()) << shipped.status();
    if (!shipped.ok()) return "";
  }
  return in->name;
}

std::string Address(TestStack& stack) {
  ipb::GetInvoicingAddressRequest req;
  req.set_parent("tenants/acme");
  ipb::InvoicingAddress out;
  grpc::Status st = stack.Invoices()->GetInvoicingAddress(stack.Ctx("admin").get(), req, &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return out.address();
}

std::string Received(const std::string& raw, const std::string& results) {
  return absl::StrCat("Authentication-Results: ", results, "\r\n", raw);
}

ipb::Message Ingest(TestStack& stack, const std::string& raw, absl::Duration deadline) {
  ipb::IngestMessageRequest req;
  req.set_raw(raw);
  ipb::Message out;
  std::unique_ptr<grpc::ClientContext> ctx = stack.Ctx("gateway");
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  grpc::Status st = stack.Invoices()->IngestMessage(ctx.get(), req, &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return out;
}

ipb::Invoice GetInvoice(TestStack& stack, const std::string& name) {
  ipb::GetInvoiceRequest req;
  req.set_name(name);
  ipb::Invoice out;
  grpc::Status st = stack.Invoices()->GetInvoice(stack.Ctx("platform").get(), req, &out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  return out;
}

std::vector<ipb::Invoice> InvoicesForPo(TestStack& stack, const std::string& po) {
  ipb::ListInvoicesRequest req;
  req.set_parent("tenants/acme");
  req.set_po_number(po);
  req.set_page_size(50);
  ipb::ListInvoicesResponse out;
  grpc::Status st = stack.Invoices()->ListInvoices(stack.Ctx("platform").get(), req, &out);
  if (!st.ok()) return {};
  return {out.invoices().begin(), out.invoices().end()};
}

absl::StatusOr<int64_t> PeakRssBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "VmHWM:")) continue;
    rest = absl::StripAsciiWhitespace(rest);
    int64_t kib = 0;
    if (absl::ConsumeSuffix(&rest, " kB") && absl::SimpleAtoi(rest, &kib)) return kib * 1024;
  }
  return absl::NotFoundError(absl::StrCat("no VmHWM for process ", pid));
}

std::vector<std::string> FilesIn(const std::string& maildir, const std::string& sub) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(maildir + "/" + sub, ec)) {
    if (e.is_regular_file()) out.push_back(e.path().filename().string());
  }
  return out;
}

}  // namespace iob::invoice::testing
