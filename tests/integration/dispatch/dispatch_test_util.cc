// The dispatch suites' stack and helpers.
#include "tests/integration/dispatch/dispatch_test_util.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/runtime/proto_time.h"
#include "tests/support/wait.h"

namespace iob::dispatch::testing {

std::vector<std::string> FastDispatchFlags() {
  return {"--retry-base",
          "50ms",
          "--retry-max-delay",
          "200ms",
          "--max-attempts",
          "4",
          "--supplier-timeout",
          "2s",
          "--lease",
          "6s",
          "--poll-interval",
          "50ms",
          "--deadline-sweep-interval",
          "100ms"};
}

std::unique_ptr<TestStack> StartDispatchStack(std::string* error,
                                              const std::vector<std::string>& dispatch_flags) {
  const std::set<std::string> platform = {"punchout.read", "punchout.start", "orders.read",
                                          "orders.write"};
  std::vector<std::string> flags = FastDispatchFlags();
  flags.insert(flags.end(), dispatch_flags.begin(), dispatch_flags.end());
  auto stack = TestStack::Create({
      .services = {Service::kCredentials, Service::kSupplierSim, Service::kPunchout,
                   Service::kDispatch},
      .principals = {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
                     {"dispatch",
                      {"integrations.read", "secrets.resolve", "suppliers.verify", "punchout.read"},
                      {"*"}},
                     {"admin",
                      {"integrations.read", "integrations.write", "rules.write", "orders.read",
                       "orders.write"},
                      {"acme", "globex"}},
                     {"platform", platform, {"acme"}},
                     {"globex-platform", platform, {"globex"}}},
      .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                {Service::kDispatch, flags}},
  });
  if (stack == nullptr) return nullptr;
  for (Service s :
       {Service::kCredentials, Service::kSupplierSim, Service::kPunchout, Service::kDispatch}) {
    if (absl::Status st = stack->Start(s); !st.ok()) {
      *error = st.ToString();
      return nullptr;
    }
  }
  return stack;
}

absl::StatusOr<SimIntegration> CreateSimIntegration(TestStack& stack, const std::string& tenant,
                                                    const std::string& id, Profile profile,
                                                    bool approval_required, bool production) {
  auto group =
      stack.CreateSimGroup(profile == Profile::kGeneric ? R"({"accepts_changes":true})" : "{}");
  if (!group.ok()) return group.status();
  cpb::CreateIntegrationRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration_id(id);
  cpb::Integration* in = req.mutable_integration();
  if (profile == Profile::kAmazon) {
    in->set_supplier("amazon-business");
  } else {
    in->set_supplier("generic-cxml");
    in->mutable_from()->set_domain("NetworkId");
    in->mutable_to()->set_domain("NetworkId");
    in->mutable_to()->set_identity("SIM-SUPPLIER");
  }
  in->mutable_from()->set_identity(group->from_identity);
  in->set_shared_secret(group->shared_secret);
  in->set_punchout_url(group->punchout_url);
  in->set_order_url(group->order_url);
  in->set_mode(production ? cpb::MODE_PRODUCTION : cpb::MODE_TEST);
  in->set_require_approval(approval_required);
  cpb::Integration out;
  grpc::Status st = stack.Credentials()->CreateIntegration(stack.Ctx("admin").get(), req, &out);
  if (!st.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()),
                        "CreateIntegration: " + st.error_message());
  }
  return SimIntegration{*group, out.name()};
}

pb::OrderContent MakeOrder(const std::string& po_number, int lines) {
  pb::OrderContent o;
  o.set_po_number(po_number);
  o.set_currency("USD");
  for (int i = 1; i <= lines; ++i) {
    auto* l = o.add_lines();
    l->set_line_number(i);
    l->set_quantity("2");
    l->set_supplier_part_id(absl::StrCat("SKU-", i));
    if (i == 1) l->set_supplier_part_auxiliary_id(R"(&lt;aux a="1"&gt;x,y&amp;z&lt;/aux&gt;)");
    l->set_description(absl::StrCat("Item ", i, " – Füller"));
    l->mutable_unit_price()->set_amount("10.50");
    l->mutable_unit_price()->set_currency("USD");
    l->set_unit_of_measure("EA");
    auto* c = l->add_classifications();
    c->set_domain("UNSPSC");
    c->set_code("44121701");
  }
  auto* ship = o.mutable_ship_to();
  ship->set_name("Receiving dock 4");
  ship->add_street("1 Main St");
  ship->set_city("Springfield");
  ship->set_state("IL");
  ship->set_postal_code("62701");
  ship->set_country_code("US");
  ship->set_country("United States");
  *o.mutable_bill_to() = *ship;
  o.mutable_bill_to()->set_name("Accounts Payable");
  o.mutable_contact()->set_email("pat@acme.example");
  o.mutable_contact()->set_name("Pat Buyer");
  return o;
}

pb::Approval Approved() {
  pb::Approval a;
  a.mutable_approver()->mutable_approver()->set_email("boss@acme.example");
  *a.mutable_approver()->mutable_approve_time() = runtime::ToProtoTime(absl::Now());
  return a;
}

grpc::Status Submit(TestStack& stack, const std::string& tenant, const std::string& integration,
                    const pb::OrderContent& order, const pb::Approval& approval, pb::Order* out,
                    const std::string& request_id, const std::string& principal) {
  pb::SubmitOrderRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration(integration);
  *req.mutable_order() = order;
  *req.mutable_approval() = approval;
  req.set_request_id(request_id);
  return stack.Dispatch()->SubmitOrder(stack.Ctx(principal).get(), req, out);
}

absl::StatusOr<pb::Order> GetOrder(TestStack& stack, const std::string& name) {
  pb::GetOrderRequest req;
  req.set_name(name);
  pb::Order out;
  grpc::Status st = stack.Dispatch()->GetOrder(stack.Ctx("admin").get(), req, &out);
  if (!st.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  }
  return out;
}

absl::StatusOr<pb::Order> WaitForState(TestStack& stack, const std::string& name,
                                       pb::OrderState state, absl::Duration timeout) {
  absl::StatusOr<pb::Order> last = absl::UnknownError("not read");
  ::iob::testing::WaitFor(
      [&] {
        last = GetOrder(stack, name);
        return last.ok() && last->state() == state;
      },
      absl::StrCat(name, " reaching ", pb::OrderState_Name(state)), timeout);
  if (last.ok() && last->state() == state) return last;
  if (!last.ok()) return last.status();
  return absl::DeadlineExceededError(absl::StrCat(name, " is ", pb::OrderState_Name(last->state()),
                                                  ", not ", pb::OrderState_Name(state), " (",
                                                  last->failure_reason(), ")"));
}

absl::StatusOr<SimOrderRecord> SimOrder(TestStack& stack, const std::string& po_number) {
  auto json = stack.SimGet("/admin/orders/" + po_number);
  if (!json.ok()) return json.status();
  SimOrderRecord r;
  r.received = json->value("received", 0);
  if (json->contains("payload_ids")) {
    for (const auto& [pid, n] : (*json)["payload_ids"].items()) r.payload_ids[pid] = n.get<int>();
  }
  for (const char* key : {"types", "versions", "document_references"}) {
    std::vector<std::string>& out = std::string(key) == "types"      ? r.types
                                    : std::string(key) == "versions" ? r.versions
                                                                     : r.document_references;
    if (json->contains(key)) {
      for (const auto& v : (*json)[key]) out.push_back(v.get<std::string>());
    }
  }
  r.deployment_mode = json->value("deployment_mode", "");
  return r;
}

void ResetSimulator(TestStack& stack) {
  EXPECT_TRUE(stack.SimPost("/admin/faults/clear", "").ok());
  EXPECT_TRUE(stack.SimPost("/admin/fulfillment", "{}").ok());
}

absl::Status SimOrderFaults(TestStack& stack, const std::string& json) {
  return stack.SimPost("/admin/faults", absl::StrCat(R"({"order":)", json, "}")).status();
}

absl::Status SimFulfillment(TestStack& stack, const std::string& settings) {
  return stack
      .SimPost("/admin/fulfillment",
               absl::StrCat(R"({"url":")", stack.http_url(Service::kDispatch), "/cxml/fulfill\"",
                            settings.empty() ? "" : ",", settings, "}"))
      .status();
}

}  // namespace iob::dispatch::testing
