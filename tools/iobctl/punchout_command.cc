#include "tools/iobctl/punchout_command.h"

#include <functional>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "iob/punchout/v1/punchout_service.grpc.pb.h"
#include "iob/type/v1/line_item.pb.h"
#include "iob/type/v1/money.pb.h"
#include "tools/iobctl/connection.h"

namespace iob::iobctl {
namespace {

namespace pb = ::iob::punchout::v1;
namespace typepb = ::iob::type::v1;

constexpr char kUsage[] =
    "usage: iobctl punchout <suppliers|start|get|sessions|cart|checkout> [flags]\n"
    "  suppliers --tenant T\n"
    "  start --tenant T --integration ID --user-email E [--user-id U] [--user-name N]\n"
    "        [--operation create|edit|inspect]\n"
    "  get SESSION | sessions --tenant T [--state started|cart_received|...]\n"
    "  cart SESSION | checkout SESSION      (SESSION = tenants/T/sessions/S)\n"
    "common: --addr HOST:PORT (IOB_ADDR, default 127.0.0.1:7102) --token-file F --json\n"
    "        --tls-ca-file F [--tls-cert-file F --tls-key-file F] (IOB_TLS_CA_FILE, ...)\n";

struct Args {
  Connection conn;
  std::string tenant, integration, user_email, user_id, user_name, operation = "create", state,
                                                                   request_id;
  std::vector<std::string> positional;
};

using Stub = pb::PunchoutService::Stub;

template <typename Request, typename Response>
using Method = grpc::Status (Stub::*)(grpc::ClientContext*, const Request&, Response*);

// Sends one call and prints the response (JSON with --json, otherwise `show`).
template <typename Request, typename Response>
int Call(Stub& stub, const Args& a, Method<Request, Response> method, const Request& req,
         std::ostream& out, std::ostream& err, const std::function<void(const Response&)>& show) {
  auto ctx = a.conn.Context();
  if (!ctx.ok()) return (err << "iobctl: " << ctx.status().message() << "\n", 2);
  Response resp;
  grpc::Status st = (stub.*method)(ctx->get(), req, &resp);
  if (!st.ok()) return PrintRefusal(err, st);
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    show(resp);
  }
  return 0;
}

std::string StateName(pb::SessionState s) {
  return absl::AsciiStrToLower(pb::SessionState_Name(s).substr(strlen("SESSION_STATE_")));
}

void ShowSession(std::ostream& out, const pb::Session& s) {
  out << absl::StrFormat("%-16s %s\n%-16s %s\n%-16s %s\n%-16s %s\n%-16s %s\n", "session:", s.name(),
                         "integration:", s.integration(), "state:", StateName(s.state()),
                         "start page:", s.start_page_url(),
                         "approval:", s.approval_required() ? "required" : "not required");
  if (!s.failure_reason().empty())
    out << absl::StrFormat("%-16s %s\n", "failure:", s.failure_reason());
}

void ShowLines(std::ostream& out, const google::protobuf::RepeatedPtrField<typepb::LineItem>& lines,
               const typepb::Money& total) {
  out << absl::StrFormat("%-4s %-14s %-8s %-12s %s\n", "#", "PART", "QTY", "UNIT PRICE",
                         "DESCRIPTION / AUX ID");
  for (const auto& l : lines) {
    out << absl::StrFormat("%-4d %-14s %-8s %-12s %s\n     aux: %s\n", l.line_number(),
                           l.supplier_part_id(), l.quantity(),
                           absl::StrCat(l.unit_price().amount(), " ", l.unit_price().currency()),
                           l.description(), l.supplier_part_auxiliary_id());
  }
  out << "total: " << total.amount() << " " << total.currency() << "\n";
}

bool SessionName(const Args& a, std::string* name, std::ostream& err) {
  if (a.positional.empty()) {
    err << "iobctl: name the session (tenants/T/sessions/S)\n";
    return false;
  }
  *name = a.positional[0];
  return true;
}

int Suppliers(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: suppliers needs --tenant\n", 2);
  pb::ListSuppliersRequest req;
  req.set_parent("tenants/" + a.tenant);
  return Call<pb::ListSuppliersRequest, pb::ListSuppliersResponse>(
      stub, a, &Stub::ListSuppliers, req, out, err, [&](const pb::ListSuppliersResponse& r) {
        out << absl::StrFormat("%-44s %-18s %-20s %s\n", "INTEGRATION", "SUPPLIER", "TILE",
                               "APPROVAL");
        for (const auto& s : r.suppliers()) {
          out << absl::StrFormat("%-44s %-18s %-20s %s\n", s.integration(), s.supplier(),
                                 s.display_name(), s.approval_required() ? "required" : "off");
        }
      });
}

int Start(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty() || a.integration.empty() || a.user_email.empty()) {
    return (err << "iobctl: start needs --tenant, --integration and --user-email\n", 2);
  }
  pb::StartSessionRequest req;
  req.set_parent("tenants/" + a.tenant);
  req.set_integration(a.integration.find('/') == std::string::npos
                          ? absl::StrCat("tenants/", a.tenant, "/integrations/", a.integration)
                          : a.integration);
  req.mutable_user()->set_email(a.user_email);
  req.mutable_user()->set_id(a.user_id.empty() ? a.user_email : a.user_id);
  req.mutable_user()->set_name(a.user_name);
  req.set_request_id(a.request_id);
  pb::Operation op;
  if (!pb::Operation_Parse("OPERATION_" + absl::AsciiStrToUpper(a.operation), &op)) {
    return (err << "iobctl: --operation must be create, edit or inspect\n", 2);
  }
  req.set_operation(op);
  return Call<pb::StartSessionRequest, pb::Session>(
      stub, a, &Stub::StartSession, req, out, err,
      [&](const pb::Session& s) { ShowSession(out, s); });
}

int Get(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  pb::GetSessionRequest req;
  std::string name;
  if (!SessionName(a, &name, err)) return 2;
  req.set_name(name);
  return Call<pb::GetSessionRequest, pb::Session>(
      stub, a, &Stub::GetSession, req, out, err,
      [&](const pb::Session& s) { ShowSession(out, s); });
}

int Sessions(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: sessions needs --tenant\n", 2);
  pb::ListSessionsRequest req;
  req.set_parent("tenants/" + a.tenant);
  if (!a.state.empty()) {
    pb::SessionState st;
    if (!pb::SessionState_Parse("SESSION_STATE_" + absl::AsciiStrToUpper(a.state), &st)) {
      return (err << "iobctl: unknown --state\n", 2);
    }
    req.set_state(st);
  }
  return Call<pb::ListSessionsRequest, pb::ListSessionsResponse>(
      stub, a, &Stub::ListSessions, req, out, err, [&](const pb::ListSessionsResponse& r) {
        out << absl::StrFormat("%-40s %-14s %-30s %s\n", "SESSION", "STATE", "USER", "INTEGRATION");
        for (const auto& s : r.sessions()) {
          out << absl::StrFormat("%-40s %-14s %-30s %s\n", s.name(), StateName(s.state()),
                                 s.user().email(), s.integration());
        }
      });
}

int Cart(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  pb::GetCartRequest req;
  std::string name;
  if (!SessionName(a, &name, err)) return 2;
  req.set_session(name);
  return Call<pb::GetCartRequest, pb::Cart>(
      stub, a, &Stub::GetCart, req, out, err,
      [&](const pb::Cart& c) { ShowLines(out, c.lines(), c.total()); });
}

int Checkout(Stub& stub, const Args& a, std::ostream& out, std::ostream& err) {
  pb::CheckoutCartRequest req;
  std::string name;
  if (!SessionName(a, &name, err)) return 2;
  req.set_session(name);
  req.set_request_id(a.request_id);
  return Call<pb::CheckoutCartRequest, pb::RequisitionDraft>(
      stub, a, &Stub::CheckoutCart, req, out, err, [&](const pb::RequisitionDraft& d) {
        out << "requisition draft for " << d.requester().email() << " ("
            << (d.approval_required() ? "goes to approval" : "may purchase directly") << ")\n";
        ShowLines(out, d.lines(), d.total());
      });
}

}  // namespace

int RunPunchoutCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  using Handler = std::function<int(Stub&, const Args&, std::ostream&, std::ostream&)>;
  static const std::map<std::string, Handler> kHandlers = {
      {"suppliers", Suppliers}, {"start", Start}, {"get", Get},
      {"sessions", Sessions},   {"cart", Cart},   {"checkout", Checkout}};
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? err : out) << kUsage;
    return args.empty() ? 2 : 0;
  }
  auto handler = kHandlers.find(args[0]);
  if (handler == kHandlers.end()) {
    err << "iobctl: unknown punchout command '" << args[0] << "'\n" << kUsage;
    return 2;
  }
  Args a;
  common::Flags flags("iobctl punchout " + args[0], kUsage);
  a.conn.Register(flags, "127.0.0.1:7102");
  flags.Add("tenant", &a.tenant, "tenant id");
  flags.Add("integration", &a.integration, "integration id or resource name");
  flags.Add("user-email", &a.user_email, "order creator's e-mail");
  flags.Add("user-id", &a.user_id, "order creator's id (default: the e-mail)");
  flags.Add("user-name", &a.user_name, "order creator's name");
  flags.Add("operation", &a.operation, "create, edit or inspect");
  flags.Add("state", &a.state, "filter sessions by state");
  flags.Add("request-id", &a.request_id, "idempotency key");
  int exit_code = 0;
  if (!ParseCommandFlags(flags, {args.begin() + 1, args.end()}, &a.positional, err, &exit_code)) {
    return exit_code;
  }
  auto channel = a.conn.Dial();
  if (!channel.ok()) return (err << "iobctl: " << channel.status().message() << "\n", 2);
  auto stub = pb::PunchoutService::NewStub(*channel);
  return handler->second(*stub, a, out, err);
}

}  // namespace iob::iobctl
