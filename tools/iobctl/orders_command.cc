#include "tools/iobctl/orders_command.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tools/iobctl/connection.h"

namespace iob::iobctl {
namespace {

namespace pb = ::iob::dispatch::v1;

constexpr char kUsage[] =
    "usage: iobctl orders <submit|get|list|retry|cancel|update|pdf> [flags]\n"
    "  submit --tenant T --integration I [--session S] [--order-file F.json]\n"
    "         [--po PO] [--currency USD] [--ship-to-file A.json]\n"
    "         (--approver-email E [--approver-name N] [--approve-time T] | --purchase-button)\n"
    "         [--request-id R]\n"
    "         F.json: an OrderContent in proto JSON (po_number, currency, lines, ship_to,\n"
    "         bill_to, contact, ...), required without --session; with --session the lines\n"
    "         come from the session's cart and the file's must be empty. A.json: a PostalAddress.\n"
    "  get ORDER [--documents]        ORDER = tenants/T/orders/O, or O with --tenant\n"
    "  list --tenant T [--state delivered] [--integration I] [--po P] [--test|--production]\n"
    "       [--unconfirmed] [--page-size N [--page-token P]]   (every page unless --page-size)\n"
    "  retry ORDER | cancel ORDER [--reason R] | update ORDER --order-file F.json\n"
    "       (each takes [--request-id R])\n"
    "  pdf ORDER [--version N] > po.pdf   the purchase order PDF, as e-mailed (default: newest)\n"
    "common: --addr HOST:PORT (IOB_ADDR, default 127.0.0.1:7103) --token-file F --json\n"
    "        --tls-ca-file F [--tls-cert-file F --tls-key-file F] (IOB_TLS_CA_FILE, ...)\n"
    "TEST marks orders sent with deploymentMode=\"test\": the supplier will not fulfil them.\n";

// Everything a subcommand may read from its flags.
struct Args {
  Connection conn;
  std::string tenant, integration, session, order_file, ship_to_file, po, currency, approver_email,
      approver_name, approve_time, request_id, state, reason, page_token;
  bool purchase_button = false, test = false, production = false, unconfirmed = false,
       documents = false;
  int page_size = 0, version = 0;
  std::vector<std::string> positional;
};

void Register(common::Flags& f, Args& a) {
  a.conn.Register(f, kDispatchAddr);
  f.Add("tenant", &a.tenant, "tenant id");
  f.Add("integration", &a.integration, "integration id or resource name");
  f.Add("session", &a.session, "checked-out punchout session (id or resource name)");
  f.Add("order-file", &a.order_file, "OrderContent as proto JSON, - for stdin");
  f.Add("ship-to-file", &a.ship_to_file, "ship-to PostalAddress as proto JSON");
  f.Add("po", &a.po, "purchase order number (submit: overrides the file's; list: filter)");
  f.Add("currency", &a.currency, "ISO 4217 currency (overrides the file's)");
  f.Add("approver-email", &a.approver_email, "who approved the order");
  f.Add("approver-name", &a.approver_name, "the approver's name");
  f.Add("approve-time", &a.approve_time,
        "when it was approved, RFC 3339 (default: now; give it with --request-id so that a "
        "repeated submit is the same request)");
  f.Add("purchase-button", &a.purchase_button,
        "the order creator's Purchase button sent it (no approval)");
  f.Add("request-id", &a.request_id, "idempotency key");
  f.Add("state", &a.state, "list: only orders in this state (queued, delivered, failed, ...)");
  f.Add("test", &a.test, "list: only test orders");
  f.Add("production", &a.production, "list: only production orders");
  f.Add("unconfirmed", &a.unconfirmed, "list: only delivered orders past their deadline");
  f.Add("page-size", &a.page_size, "list page size (default: all pages)");
  f.Add("page-token", &a.page_token, "list: the page to start at (printed after a page)");
  f.Add("reason", &a.reason, "cancel: why");
  f.Add("documents", &a.documents, "get: print every exchanged cXML document");
  f.Add("version", &a.version, "pdf: the order version (default: the newest)");
}

std::string StateName(pb::OrderState s) {
  const std::string& name = pb::OrderState_Name(s);
  return absl::AsciiStrToLower(name.substr(std::min(name.size(), strlen("ORDER_STATE_"))));
}

std::string Mode(const pb::Order& o) { return o.test() ? "TEST" : "production"; }

std::string MoneyText(const iob::type::v1::Money& m) {
  return m.amount().empty() ? "-" : absl::StrCat(m.amount(), " ", m.currency());
}

std::string ApprovalText(const pb::Approval& a) {
  if (!a.has_approver()) return a.purchase_button() ? "purchase button (no approval)" : "-";
  const auto& who = a.approver().approver();
  std::string text = absl::StrCat("approved by ", who.email());
  if (!who.name().empty()) absl::StrAppend(&text, " (", who.name(), ")");
  absl::StrAppend(&text, " at ", TimeText(a.approver().approve_time()));
  return text;
}

// The order's summary: what every subcommand that returns one order prints.
void ShowSummary(std::ostream& out, const pb::Order& o) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"order", o.name()},
      {"mode",
       o.test() ? "TEST (deploymentMode=\"test\": the supplier will not fulfil it)" : "production"},
      {"state", absl::StrCat(StateName(o.state()), o.unconfirmed() ? " (UNCONFIRMED)" : "",
                             o.change_pending() ? " (change pending)" : "")},
      {"integration", o.integration()},
      {"supplier", o.supplier()},
      {"channel",
       o.channel() == pb::CHANNEL_EMAIL ? "purchase order PDF by e-mail" : "cXML OrderRequest"},
      {"po number", o.content().po_number()},
      {"total", MoneyText(o.total())},
      {"version", absl::StrCat(o.version(), ", payloadID ", o.payload_id())},
      {"attempts", absl::StrCat(o.attempt_count())},
      {"next attempt", TimeText(o.next_attempt_time())},
      {"confirm by", TimeText(o.confirm_deadline_time())},
      {"approval", ApprovalText(o.approval())},
      {"created", TimeText(o.create_time())},
      {"updated", TimeText(o.update_time())},
  };
  if (!o.session().empty()) rows.insert(rows.begin() + 4, {"session", o.session()});
  if (!o.failure_reason().empty()) rows.push_back({"failure", o.failure_reason()});
  for (const auto& [k, v] : rows) out << absl::StrFormat("%-14s %s\n", k + ":", v);
}

// GetOrder's view: the summary, then the lines and every record the order has.
void ShowDetail(std::ostream& out, const pb::Order& o, bool documents) {
  ShowSummary(out, o);
  out << absl::StrFormat("\nLINES\n%-4s %-16s %-8s %-14s %s\n", "#", "PART", "QTY", "UNIT PRICE",
                         "DESCRIPTION");
  for (const auto& l : o.content().lines()) {
    out << absl::StrFormat("%-4d %-16s %-8s %-14s %s\n", l.line_number(), l.supplier_part_id(),
                           l.quantity(), MoneyText(l.unit_price()), l.description());
  }
  out << absl::StrFormat("\nHISTORY\n%-32s %-20s %s\n", "TIME", "STATE", "REASON");
  for (const auto& h : o.history()) {
    out << absl::StrFormat("%-32s %-20s %s\n", TimeText(h.time()), StateName(h.state()),
                           h.reason());
  }
  out << absl::StrFormat("\nATTEMPTS\n%-3s %-4s %-32s %-15s %-5s %-5s %-5s %-9s %s\n", "#", "VER",
                         "START", "OUTCOME", "HTTP", "CXML", "SMTP", "LATENCY", "TEXT");
  for (const auto& t : o.attempts()) {
    out << absl::StrFormat("%-3d %-4d %-32s %-15s %-5d %-5d %-5d %-9s %s\n", t.number(),
                           t.order_version(), TimeText(t.start_time()), t.outcome(),
                           t.http_status(), t.cxml_code(), t.smtp_code(), DurationText(t.latency()),
                           t.text());
  }
  if (o.confirmations_size() > 0) {
    out << absl::StrFormat("\nCONFIRMATIONS\n%-32s %-12s %-10s %-20s %s\n", "NOTICE TIME", "TYPE",
                           "OPERATION", "CONFIRM ID", "COMMENTS");
    for (const auto& c : o.confirmations()) {
      out << absl::StrFormat("%-32s %-12s %-10s %-20s %s\n", TimeText(c.notice_time()), c.type(),
                             c.operation(), c.confirm_id(), c.comments());
    }
  }
  if (o.shipments_size() > 0) {
    out << absl::StrFormat("\nSHIPMENTS\n%-32s %-20s %-12s %-24s %s\n", "SHIPPED", "SHIPMENT ID",
                           "CARRIER", "TRACKING", "LINES (line x qty)");
    for (const auto& s : o.shipments()) {
      std::string lines;
      for (const auto& l : s.lines()) {
        absl::StrAppend(&lines, lines.empty() ? "" : ", ", l.line_number(), " x ", l.quantity());
      }
      out << absl::StrFormat("%-32s %-20s %-12s %-24s %s\n", TimeText(s.shipment_time()),
                             s.shipment_id(), s.carrier(), s.tracking_number(), lines);
      if (!s.tracking_url().empty()) out << "     tracking: " << s.tracking_url() << "\n";
    }
  }
  out << absl::StrFormat("\nEXCHANGES\n%-4s %-20s %-44s %-5s %-5s %-9s %s\n", "DIR", "TYPE",
                         "PAYLOAD ID", "HTTP", "CXML", "LATENCY", "TIME");
  for (const auto& e : o.exchanges()) {
    out << absl::StrFormat("%-4s %-20s %-44s %-5d %-5d %-9s %s\n", e.direction(), e.document_type(),
                           e.payload_id(), e.http_status(), e.cxml_code(),
                           DurationText(e.latency()), TimeText(e.time()));
  }
  if (!documents) return;
  for (const auto& e : o.exchanges()) {
    out << "\n--- " << e.direction() << " " << e.document_type() << " " << e.payload_id()
        << " (shared secrets redacted) ---\n"
        << e.document() << (absl::EndsWith(e.document(), "\n") ? "" : "\n");
  }
}

// One order: JSON with --json, otherwise its summary.
void PrintOrder(std::ostream& out, const Args& a, const pb::Order& o) {
  if (a.conn.json) {
    out << ToJson(o) << "\n";
  } else {
    ShowSummary(out, o);
  }
}

// The order named by the first positional argument (or an id with --tenant).
bool OrderName(const Args& a, std::string* name, std::ostream& err) {
  *name = ChildName(a.tenant, "orders", a.positional.empty() ? "" : a.positional[0]);
  if (name->empty()) err << "iobctl: name the order: tenants/T/orders/O, or O with --tenant\n";
  return !name->empty();
}

// Reads a proto JSON file into `message`; prints why not to `err`.
bool ReadInto(const std::string& path, google::protobuf::Message* message, std::ostream& err) {
  absl::Status st = ReadJsonMessage(path, message);
  if (!st.ok()) err << "iobctl: " << st.message() << "\n";
  return st.ok();
}

using Stub = pb::DispatchService::Stub;

int Submit(Stub& stub, const Args& a, const common::Flags& f, std::ostream& out,
           std::ostream& err) {
  if (a.tenant.empty() || a.integration.empty()) {
    return (err << "iobctl: submit needs --tenant and --integration\n", 2);
  }
  if (a.session.empty() && a.order_file.empty()) {
    return (err << "iobctl: submit needs --order-file, or --session for the cart's lines\n", 2);
  }
  if (a.approver_email.empty() != a.purchase_button) {
    return (err << "iobctl: submit needs one of --approver-email and --purchase-button\n", 2);
  }
  pb::SubmitOrderRequest req;
  req.set_parent("tenants/" + a.tenant);
  req.set_integration(ChildName(a.tenant, "integrations", a.integration));
  req.set_request_id(a.request_id);
  pb::OrderContent* order = req.mutable_order();
  if (!a.order_file.empty() && !ReadInto(a.order_file, order, err)) return 2;
  if (!a.session.empty()) {
    if (order->lines_size() > 0) {
      return (err << "iobctl: with --session the lines come from the cart; the order file's "
                     "lines must be empty\n",
              2);
    }
    req.set_session(ChildName(a.tenant, "sessions", a.session));
  }
  if (f.Given("po")) order->set_po_number(a.po);
  if (f.Given("currency")) order->set_currency(a.currency);
  if (!a.ship_to_file.empty() && !ReadInto(a.ship_to_file, order->mutable_ship_to(), err)) {
    return 2;
  }
  if (a.purchase_button) {
    req.mutable_approval()->set_purchase_button(true);
  } else {
    pb::Approver* approver = req.mutable_approval()->mutable_approver();
    approver->mutable_approver()->set_email(a.approver_email);
    approver->mutable_approver()->set_name(a.approver_name);
    if (a.approve_time.empty()) {
      *approver->mutable_approve_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
    } else if (!google::protobuf::util::TimeUtil::FromString(a.approve_time,
                                                             approver->mutable_approve_time())) {
      return (err << "iobctl: --approve-time must be RFC 3339 (2024-05-01T12:00:00Z)\n", 2);
    }
  }
  pb::Order resp;
  if (int code = Call(stub, a.conn, &Stub::SubmitOrder, req, &resp, err)) return code;
  PrintOrder(out, a, resp);
  return 0;
}

int Get(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::GetOrderRequest req;
  if (!OrderName(a, req.mutable_name(), err)) return 2;
  pb::Order resp;
  if (int code = Call(stub, a.conn, &Stub::GetOrder, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowDetail(out, resp, a.documents);
  }
  return 0;
}

int List(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: list needs --tenant\n", 2);
  if (a.test && a.production) return (err << "iobctl: --test or --production, not both\n", 2);
  pb::ListOrdersRequest req;
  req.set_parent("tenants/" + a.tenant);
  if (!a.state.empty()) {
    pb::OrderState state;
    if (!pb::OrderState_Parse("ORDER_STATE_" + absl::AsciiStrToUpper(a.state), &state)) {
      return (err << "iobctl: unknown --state '" << a.state << "'\n", 2);
    }
    req.set_state(state);
  }
  if (!a.integration.empty()) {
    req.set_integration(ChildName(a.tenant, "integrations", a.integration));
  }
  req.set_po_number(a.po);
  req.set_test(a.test         ? pb::TEST_FILTER_TEST
               : a.production ? pb::TEST_FILTER_PRODUCTION
                              : pb::TEST_FILTER_UNSPECIFIED);
  req.set_unconfirmed(a.unconfirmed);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  pb::ListOrdersResponse all;
  do {
    pb::ListOrdersResponse page;
    if (int code = Call(stub, a.conn, &Stub::ListOrders, req, &page, err)) return code;
    for (auto& o : *page.mutable_orders()) *all.add_orders() = std::move(o);
    all.set_next_page_token(page.next_page_token());
    req.set_page_token(page.next_page_token());
  } while (a.page_size == 0 && !req.page_token().empty());
  if (a.conn.json) {
    out << ToJson(all) << "\n";
    return 0;
  }
  out << absl::StrFormat("%-44s %-10s %-20s %-16s %-16s %-4s %-28s %s\n", "ORDER", "MODE", "STATE",
                         "PO", "TOTAL", "TRY", "CREATED", "INTEGRATION");
  for (const auto& o : all.orders()) {
    out << absl::StrFormat("%-44s %-10s %-20s %-16s %-16s %-4d %-28s %s\n", o.name(), Mode(o),
                           absl::StrCat(StateName(o.state()), o.unconfirmed() ? " UNCONF" : ""),
                           o.content().po_number(), MoneyText(o.total()), o.attempt_count(),
                           TimeText(o.create_time()), o.integration());
  }
  if (!all.next_page_token().empty())
    out << "next page: --page-token " << all.next_page_token() << "\n";
  return 0;
}

int Retry(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::RetryOrderRequest req;
  if (!OrderName(a, req.mutable_name(), err)) return 2;
  req.set_request_id(a.request_id);
  pb::Order resp;
  if (int code = Call(stub, a.conn, &Stub::RetryOrder, req, &resp, err)) return code;
  PrintOrder(out, a, resp);
  return 0;
}

int Cancel(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::CancelOrderRequest req;
  if (!OrderName(a, req.mutable_name(), err)) return 2;
  req.set_reason(a.reason);
  req.set_request_id(a.request_id);
  pb::Order resp;
  if (int code = Call(stub, a.conn, &Stub::CancelOrder, req, &resp, err)) return code;
  PrintOrder(out, a, resp);
  return 0;
}

int Pdf(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::RenderOrderPdfRequest req;
  if (!OrderName(a, req.mutable_name(), err)) return 2;
  req.set_version(a.version);
  pb::OrderPdf resp;
  if (int code = Call(stub, a.conn, &Stub::RenderOrderPdf, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    out << resp.pdf();
  }
  return 0;
}

int Update(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::UpdateOrderRequest req;
  if (!OrderName(a, req.mutable_name(), err)) return 2;
  if (a.order_file.empty()) return (err << "iobctl: update needs --order-file\n", 2);
  if (!ReadInto(a.order_file, req.mutable_order(), err)) return 2;
  req.set_request_id(a.request_id);
  pb::Order resp;
  if (int code = Call(stub, a.conn, &Stub::UpdateOrder, req, &resp, err)) return code;
  PrintOrder(out, a, resp);
  return 0;
}

}  // namespace

int RunOrdersCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::map<std::string, Subcommand<Stub, Args>> kSubcommands = {
      {"submit", Submit}, {"get", Get},       {"list", List}, {"retry", Retry},
      {"cancel", Cancel}, {"update", Update}, {"pdf", Pdf}};
  return RunGrpcArea<pb::DispatchService, Args>("orders", kUsage, kSubcommands, Register, args, out,
                                                err);
}

}  // namespace iob::iobctl
