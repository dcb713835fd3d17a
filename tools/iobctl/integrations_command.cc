#include "tools/iobctl/integrations_command.h"

#include <google/protobuf/util/time_util.h>

#include <cstdio>
#include <functional>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "iob/credentials/v1/credentials_service.grpc.pb.h"
#include "tools/iobctl/connection.h"

namespace iob::iobctl {
namespace {

namespace pb = ::iob::credentials::v1;
using google::protobuf::util::TimeUtil;

constexpr char kUsage[] =
    "usage: iobctl integrations <create|get|list|update|delete|rotate-secret|audit> [flags]\n"
    "  create --tenant T --supplier amazon-business --from-identity ID --punchout-url URL\n"
    "         --order-url URL --mode test|production --shared-secret-file FILE|-\n"
    "         [--marketplace amazon.com|amazon.co.uk|other] [--id ID] [--display-name N]\n"
    "         [--no-approval] [--payment-method invoice|pcard] [--user-business-unit U]\n"
    "         [--order-email orders@supplier.example]\n"
    "  get ID|NAME --tenant T          list --tenant T [--page-size N]\n"
    "  update ID --tenant T [--display-name ..] [--punchout-url ..] [--order-url ..]\n"
    "         [--from-identity ..] [--mode ..] [--approval|--no-approval] [--state "
    "active|disabled]\n"
    "         [--marketplace ..] [--user-business-unit ..] [--order-email ..] [--etag E]\n"
    "  delete ID --tenant T [--etag E]\n"
    "  rotate-secret ID --tenant T --shared-secret-file FILE|- [--etag E]\n"
    "  audit --tenant T [ID]\n"
    "common: --addr HOST:PORT (IOB_ADDR, default 127.0.0.1:7101) --token-file F\n"
    "        (IOB_TOKEN_FILE, default .iob/secrets/admin.token) --json\n"
    "        --tls-ca-file F [--tls-cert-file F --tls-key-file F] (IOB_TLS_CA_FILE, ...)\n";

// Everything a subcommand may read from its flags.
struct Args {
  Connection conn;
  std::string tenant, id, supplier, marketplace, display_name, from_identity, from_domain,
      to_identity, punchout_url, order_url, mode, secret_file, payment_method, state, etag,
      user_business_unit, order_email, request_id;
  bool approval = true;
  int page_size = 0;
  std::vector<std::string> positional;
};

void Register(common::Flags& f, Args& a) {
  a.conn.Register(f, "127.0.0.1:7101");
  f.Add("tenant", &a.tenant, "tenant id");
  f.Add("id", &a.id, "integration id (create: optional)");
  f.Add("supplier", &a.supplier, "supplier profile: amazon-business or generic-cxml");
  f.Add("marketplace", &a.marketplace, "amazon.com, amazon.co.uk or other");
  f.Add("display-name", &a.display_name, "name shown on the tile");
  f.Add("from-identity", &a.from_identity, "cXML From identity the supplier shows");
  f.Add("from-domain", &a.from_domain, "cXML From domain (filled from the supplier profile)");
  f.Add("to-identity", &a.to_identity, "cXML To identity (filled from the supplier profile)");
  f.Add("punchout-url", &a.punchout_url, "supplier's punchout URL");
  f.Add("order-url", &a.order_url, "supplier's purchase order request URL");
  f.Add("mode", &a.mode, "test or production");
  f.Add("shared-secret-file", &a.secret_file, "file holding the shared secret, - for stdin");
  f.Add("approval", &a.approval, "returned carts require workflow approval (--no-approval)");
  f.Add("payment-method", &a.payment_method, "invoice or pcard");
  f.Add("state", &a.state, "active or disabled");
  f.Add("etag", &a.etag, "only act when the integration still has this etag");
  f.Add("user-business-unit", &a.user_business_unit, "Amazon group for punchout sessions");
  f.Add("order-email", &a.order_email, "where the supplier takes PDF purchase orders by e-mail");
  f.Add("request-id", &a.request_id, "idempotency key");
  f.Add("page-size", &a.page_size, "list page size (default: all pages)");
}

std::string Lower(const std::string& enum_name, const std::string& prefix) {
  return absl::AsciiStrToLower(enum_name.substr(std::min(prefix.size(), enum_name.size())));
}

void PrintTable(std::ostream& out, const std::vector<pb::Integration>& list) {
  out << absl::StrFormat("%-44s %-16s %-12s %-10s %-8s %-8s %s\n", "NAME", "SUPPLIER",
                         "MARKETPLACE", "MODE", "APPROVAL", "STATE", "SECRET");
  for (const auto& in : list) {
    out << absl::StrFormat("%-44s %-16s %-12s %-10s %-8s %-8s v%d %s\n", in.name(), in.supplier(),
                           in.marketplace(), Lower(pb::Mode_Name(in.mode()), "MODE_"),
                           in.require_approval() ? "on" : "off",
                           Lower(pb::IntegrationState_Name(in.state()), "INTEGRATION_STATE_"),
                           in.secret_version(), in.secret_fingerprint());
  }
}

void PrintOne(std::ostream& out, const Args& a, const pb::Integration& in) {
  if (a.conn.json) {
    out << ToJson(in) << "\n";
    return;
  }
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"name", in.name()},
      {"supplier", in.supplier()},
      {"display name", in.display_name()},
      {"marketplace", in.marketplace()},
      {"from", absl::StrCat(in.from().domain(), ":", in.from().identity())},
      {"to", absl::StrCat(in.to().domain(), ":", in.to().identity())},
      {"sender", absl::StrCat(in.sender().domain(), ":", in.sender().identity())},
      {"punchout url", in.punchout_url()},
      {"order url", in.order_url()},
      {"mode", Lower(pb::Mode_Name(in.mode()), "MODE_")},
      {"require approval", in.require_approval() ? "on" : "off"},
      {"payment method", Lower(pb::PaymentMethod_Name(in.payment_method()), "PAYMENT_METHOD_")},
      {"state", Lower(pb::IntegrationState_Name(in.state()), "INTEGRATION_STATE_")},
      {"user business unit", in.user_business_unit()},
      {"order e-mail", in.order_email()},
      {"secret", absl::StrCat("version ", in.secret_version(), ", ", in.secret_fingerprint(),
                              ", updated ", TimeUtil::ToString(in.secret_update_time()))},
      {"etag", in.etag()},
      {"updated", TimeUtil::ToString(in.update_time())},
  };
  for (const auto& [k, v] : rows) out << absl::StrFormat("%-19s %s\n", k + ":", v);
}

// Resolves the integration's resource name from a positional ID/NAME or --id.
bool NameOf(const Args& a, std::string* name, std::ostream& err) {
  std::string id = a.positional.empty() ? a.id : a.positional[0];
  if (id.find('/') != std::string::npos) {
    *name = id;
    return true;
  }
  if (id.empty() || a.tenant.empty()) {
    err << "iobctl: name the integration: ID with --tenant, or tenants/T/integrations/ID\n";
    return false;
  }
  *name = absl::StrCat("tenants/", a.tenant, "/integrations/", id);
  return true;
}

bool SetMode(const std::string& mode, pb::Integration* in, std::ostream& err) {
  if (mode == "test") {
    in->set_mode(pb::MODE_TEST);
  } else if (mode == "production") {
    in->set_mode(pb::MODE_PRODUCTION);
  } else {
    err << "iobctl: --mode must be test or production\n";
    return false;
  }
  return true;
}

using Stub = pb::CredentialsService::Stub;
using Handler =
    std::function<int(Stub&, const Args&, const common::Flags&, std::ostream&, std::ostream&)>;

int Create(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty() || a.supplier.empty() || a.secret_file.empty() || a.mode.empty()) {
    err << "iobctl: create needs --tenant, --supplier, --mode and --shared-secret-file\n";
    return 2;
  }
  pb::CreateIntegrationRequest req;
  req.set_parent("tenants/" + a.tenant);
  req.set_integration_id(a.id);
  req.set_request_id(a.request_id);
  pb::Integration* in = req.mutable_integration();
  in->set_supplier(a.supplier);
  in->set_marketplace(a.marketplace);
  in->set_display_name(a.display_name);
  in->mutable_from()->set_identity(a.from_identity);
  in->mutable_from()->set_domain(a.from_domain);
  in->mutable_to()->set_identity(a.to_identity);
  in->set_punchout_url(a.punchout_url);
  in->set_order_url(a.order_url);
  in->set_require_approval(a.approval);
  in->set_user_business_unit(a.user_business_unit);
  in->set_order_email(a.order_email);
  if (a.payment_method == "pcard") in->set_payment_method(pb::PAYMENT_METHOD_PCARD);
  if (!SetMode(a.mode, in, err)) return 2;
  auto secret = ReadSecretFile(a.secret_file);
  if (!secret.ok()) {
    err << "iobctl: " << secret.status().message() << "\n";
    return 2;
  }
  in->set_shared_secret(*secret);
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  pb::Integration resp;
  grpc::Status st = stub.CreateIntegration(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  PrintOne(out, a, resp);
  return 0;
}

int Get(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::GetIntegrationRequest req;
  std::string name;
  if (!NameOf(a, &name, err)) return 2;
  req.set_name(name);
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  pb::Integration resp;
  grpc::Status st = stub.GetIntegration(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  PrintOne(out, a, resp);
  return 0;
}

int List(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: list needs --tenant\n", 2);
  pb::ListIntegrationsResponse all;
  pb::ListIntegrationsRequest req;
  req.set_parent("tenants/" + a.tenant);
  req.set_page_size(a.page_size);
  do {
    auto ctx = a.conn.Context();
    if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
    pb::ListIntegrationsResponse page;
    grpc::Status st = stub.ListIntegrations(ctx->get(), req, &page);
    if (!st.ok()) return PrintRefusal(err, st);
    for (auto& in : *page.mutable_integrations()) *all.add_integrations() = std::move(in);
    all.set_next_page_token(page.next_page_token());
    req.set_page_token(page.next_page_token());
  } while (a.page_size == 0 && !req.page_token().empty());
  if (a.conn.json) {
    out << ToJson(all) << "\n";
  } else {
    PrintTable(out, {all.integrations().begin(), all.integrations().end()});
  }
  return 0;
}

int Update(Stub& stub, const Args& a, const common::Flags& f, std::ostream& out,
           std::ostream& err) {
  pb::UpdateIntegrationRequest req;
  std::string name;
  if (!NameOf(a, &name, err)) return 2;
  pb::Integration* in = req.mutable_integration();
  in->set_name(name);
  in->set_etag(a.etag);
  req.set_request_id(a.request_id);
  auto* mask = req.mutable_update_mask();
  auto set = [&](const char* flag, const char* path, const std::function<void()>& apply) {
    if (!f.Given(flag)) return;
    apply();
    mask->add_paths(path);
  };
  set("display-name", "display_name", [&] { in->set_display_name(a.display_name); });
  set("marketplace", "marketplace", [&] { in->set_marketplace(a.marketplace); });
  set("from-identity", "from.identity", [&] { in->mutable_from()->set_identity(a.from_identity); });
  set("punchout-url", "punchout_url", [&] { in->set_punchout_url(a.punchout_url); });
  set("order-url", "order_url", [&] { in->set_order_url(a.order_url); });
  set("approval", "require_approval", [&] { in->set_require_approval(a.approval); });
  set("user-business-unit", "user_business_unit",
      [&] { in->set_user_business_unit(a.user_business_unit); });
  set("order-email", "order_email", [&] { in->set_order_email(a.order_email); });
  set("payment-method", "payment_method", [&] {
    in->set_payment_method(a.payment_method == "pcard" ? pb::PAYMENT_METHOD_PCARD
                                                       : pb::PAYMENT_METHOD_PAY_BY_INVOICE);
  });
  set("state", "state", [&] {
    in->set_state(a.state == "disabled" ? pb::INTEGRATION_STATE_DISABLED
                                        : pb::INTEGRATION_STATE_ACTIVE);
  });
  if (f.Given("mode")) {
    if (!SetMode(a.mode, in, err)) return 2;
    mask->add_paths("mode");
  }
  if (mask->paths_size() == 0) return (err << "iobctl: update names no field to change\n", 2);
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  pb::Integration resp;
  grpc::Status st = stub.UpdateIntegration(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  PrintOne(out, a, resp);
  return 0;
}

int Delete(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::DeleteIntegrationRequest req;
  std::string name;
  if (!NameOf(a, &name, err)) return 2;
  req.set_name(name);
  req.set_etag(a.etag);
  req.set_request_id(a.request_id);
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  pb::DeleteIntegrationResponse resp;
  grpc::Status st = stub.DeleteIntegration(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  out << (a.conn.json ? "{}" : "deleted " + name) << "\n";
  return 0;
}

int Rotate(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::RotateSharedSecretRequest req;
  std::string name;
  if (!NameOf(a, &name, err)) return 2;
  if (a.secret_file.empty())
    return (err << "iobctl: rotate-secret needs --shared-secret-file\n", 2);
  auto secret = ReadSecretFile(a.secret_file);
  if (!secret.ok()) return (err << "iobctl: " << secret.status().message() << "\n", 2);
  req.set_name(name);
  req.set_shared_secret(*secret);
  req.set_etag(a.etag);
  req.set_request_id(a.request_id);
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  pb::Integration resp;
  grpc::Status st = stub.RotateSharedSecret(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  PrintOne(out, a, resp);
  return 0;
}

int Audit(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: audit needs --tenant\n", 2);
  pb::ListAuditEventsRequest req;
  req.set_parent("tenants/" + a.tenant);
  if (!a.positional.empty() || !a.id.empty()) {
    std::string name;
    if (!NameOf(a, &name, err)) return 2;
    req.set_integration(name);
  }
  pb::ListAuditEventsResponse all;
  do {
    auto ctx = a.conn.Context();
    if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
    pb::ListAuditEventsResponse page;
    grpc::Status st = stub.ListAuditEvents(ctx->get(), req, &page);
    if (!st.ok()) return PrintRefusal(err, st);
    for (auto& e : *page.mutable_events()) *all.add_events() = std::move(e);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (a.conn.json) {
    out << ToJson(all) << "\n";
    return 0;
  }
  out << absl::StrFormat("%-6s %-28s %-20s %-16s %-8s %s\n", "ID", "TIME", "ACTION", "ACTOR",
                         "SECRET", "INTEGRATION / FIELDS");
  for (const auto& e : all.events()) {
    std::string fields;
    for (const auto& fld : e.fields()) absl::StrAppend(&fields, fields.empty() ? " " : ",", fld);
    out << absl::StrFormat("%-6d %-28s %-20s %-16s v%-7d %s%s\n", e.id(),
                           TimeUtil::ToString(e.time()), e.action(), e.actor(), e.secret_version(),
                           e.integration(), fields);
  }
  return 0;
}

}  // namespace

int RunIntegrationsCommand(const std::vector<std::string>& args, std::ostream& out,
                           std::ostream& err) {
  static const std::map<std::string, Handler> kHandlers = {
      {"create", Create}, {"get", Get},     {"list", List},           {"update", Update},
      {"delete", Delete}, {"audit", Audit}, {"rotate-secret", Rotate}};
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  auto handler = kHandlers.find(args[0]);
  if (handler == kHandlers.end()) {
    err << "iobctl: unknown integrations command '" << args[0] << "'\n" << kUsage;
    return 2;
  }
  Args a;
  common::Flags flags("iobctl integrations " + args[0], kUsage);
  Register(flags, a);
  int exit_code = 0;
  if (!ParseCommandFlags(flags, {args.begin() + 1, args.end()}, &a.positional, err, &exit_code)) {
    return exit_code;
  }
  auto channel = a.conn.Dial();
  if (!channel.ok()) return (err << "iobctl: " << channel.status().message() << "\n", 2);
  auto stub = pb::CredentialsService::NewStub(*channel);
  return handler->second(*stub, a, flags, out, err);
}

}  // namespace iob::iobctl
