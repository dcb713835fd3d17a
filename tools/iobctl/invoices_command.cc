#include "tools/iobctl/invoices_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "tools/iobctl/connection.h"

namespace iob::iobctl {
namespace {

namespace pb = ::iob::invoice::v1;

constexpr char kUsage[] =
    "usage: iobctl invoices <address|list|get|resolve|ingest|message|reprocess> [flags]\n"
    "  address --tenant T                 the tenant's e-invoicing address, and where to paste it\n"
    "  list --tenant T [--state matched|exception|needs_review|...] [--integration I] [--po P]\n"
    "       [--page-size N [--page-token P]]   (every page unless --page-size)\n"
    "  get INVOICE                        INVOICE = tenants/T/invoices/I, or I with --tenant\n"
    "  resolve INVOICE --accept|--reject --note TEXT [--request-id R]\n"
    "  ingest --file MAIL.eml             hand one raw message over (scope messages.ingest)\n"
    "  message MESSAGE [--raw]            a stored message (--raw: its bytes to stdout)\n"
    "  reprocess MESSAGE [--request-id R] read a stored message again\n"
    "common: --addr HOST:PORT (IOB_ADDR, default 127.0.0.1:7104) --token-file F --json\n"
    "        --tls-ca-file F [--tls-cert-file F --tls-key-file F] (IOB_TLS_CA_FILE, ...)\n";

struct Args {
  Connection conn;
  std::string tenant, state, integration, po, note, file, request_id, page_token;
  bool accept = false, reject = false, raw = false;
  int page_size = 0;
  std::vector<std::string> positional;
};

void Register(common::Flags& f, Args& a) {
  a.conn.Register(f, "127.0.0.1:7104");
  f.Add("tenant", &a.tenant, "tenant id");
  f.Add("state", &a.state, "list: only invoices in this state");
  f.Add("integration", &a.integration, "list: only this integration's (id or resource name)");
  f.Add("po", &a.po, "list: only invoices naming this PO number");
  f.Add("accept", &a.accept, "resolve: accept the invoice despite its exceptions");
  f.Add("reject", &a.reject, "resolve: reject it");
  f.Add("note", &a.note, "resolve: why (required)");
  f.Add("file", &a.file, "ingest: the raw message, - for stdin");
  f.Add("raw", &a.raw, "message: write the raw bytes to stdout");
  f.Add("request-id", &a.request_id, "idempotency key");
  f.Add("page-size", &a.page_size, "list page size (default: all pages)");
  f.Add("page-token", &a.page_token, "list: the page to start at");
}

using Stub = pb::InvoiceService::Stub;

std::string Lower(const std::string& enum_name, const std::string& prefix) {
  return absl::AsciiStrToLower(absl::StripPrefix(enum_name, prefix));
}

std::string StateName(pb::InvoiceState s) {
  return Lower(pb::InvoiceState_Name(s), "INVOICE_STATE_");
}

// The first positional as a resource name under `collection`.
bool NameOf(const Args& a, const std::string& collection, std::string* name, std::ostream& err) {
  *name = ChildName(a.tenant, collection, a.positional.empty() ? "" : a.positional[0]);
  if (name->empty()) {
    err << "iobctl: name the " << collection.substr(0, collection.size() - 1) << ": tenants/T/"
        << collection << "/ID, or ID with --tenant\n";
    return false;
  }
  return true;
}

void ShowInvoice(std::ostream& out, const pb::Invoice& i) {
  auto found = [](const pb::FoundValue& v) {
    return v.value().empty() ? std::string("-") : absl::StrCat(v.value(), "  (", v.rule(), ")");
  };
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"invoice", i.name()},
      {"state", StateName(i.state())},
      {"integration", i.integration().empty() ? "- (sender not recognised)" : i.integration()},
      {"sender verified", i.sender_verified() ? "yes" : "no"},
      {"number", found(i.invoice_number())},
      {"date", found(i.invoice_date())},
      {"kind", i.credit_memo() ? "credit memo" : "invoice"},
      {"net", found(i.net())},
      {"tax", found(i.tax())},
      {"gross", found(i.gross())},
      {"currency", i.currency()},
      {"reason", i.reason().empty() ? "-" : i.reason()},
      {"matched with", i.match_policy().empty() ? "-" : i.match_policy()},
  };
  for (const auto& [k, v] : rows) out << absl::StrFormat("%-16s %s\n", k + ":", v);
  out << "po numbers:     ";
  for (const auto& po : i.po_numbers()) out << " " << po.value();
  out << absl::StrFormat("\n\nLINES\n%-4s %-8s %-16s %-10s %-12s %s\n", "#", "PO LINE", "PART",
                         "QTY", "UNIT PRICE", "DESCRIPTION");
  for (const auto& l : i.lines()) {
    out << absl::StrFormat("%-4d %-8d %-16s %-10s %-12s %s\n", l.line_number(),
                           l.order_line_number(), l.supplier_part_id(), l.quantity(),
                           l.unit_price().amount(), l.description());
  }
  out << absl::StrFormat("\nMATCHES\n%-4s %-44s %-5s %-9s %-9s %-9s %s\n", "LINE", "ORDER", "OLINE",
                         "ORDERED", "SHIPPED", "INVOICED", "OK");
  for (const auto& m : i.matches()) {
    out << absl::StrFormat("%-4d %-44s %-5d %-9s %-9s %-9s %s\n", m.invoice_line(), m.order(),
                           m.order_line(), m.ordered_quantity(), m.shipped_quantity(),
                           m.invoiced_quantity(), m.ok() ? "yes" : "NO");
  }
  if (i.exceptions_size() > 0) {
    out << "\nEXCEPTIONS\n";
    for (const auto& e : i.exceptions()) {
      out << absl::StrFormat("  %-18s line %d: %s (expected %s, got %s; %s)\n",
                             Lower(pb::ExceptionType_Name(e.type()), "EXCEPTION_TYPE_"),
                             e.invoice_line(), e.message(), e.expected(), e.actual(), e.rule());
    }
  }
  out << "\nSOURCES\n";
  for (const auto& s : i.sources()) {
    out << absl::StrFormat("  %-8s %-48s %s  %s\n",
                           Lower(pb::InvoiceFormat_Name(s.format()), "INVOICE_FORMAT_"),
                           s.message(), s.part(), TimeText(s.receive_time()));
  }
}

void ShowMessage(std::ostream& out, const pb::Message& m) {
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"message", m.name()},
      {"state", Lower(pb::MessageState_Name(m.state()), "MESSAGE_STATE_")},
      {"reason", m.reason().empty() ? "-" : m.reason()},
      {"source", Lower(pb::MessageSource_Name(m.source()), "MESSAGE_SOURCE_")},
      {"from", m.from()},
      {"subject", m.subject()},
      {"message-id", m.message_id()},
      {"sha256", m.sha256()},
      {"size", absl::StrCat(m.size_bytes(), " bytes")},
      {"authentication", m.authentication().empty() ? "-" : m.authentication()},
      {"received", TimeText(m.receive_time())},
      {"duplicate", m.duplicate() ? "yes (these bytes were stored before)" : "no"},
  };
  for (const auto& [k, v] : rows) out << absl::StrFormat("%-15s %s\n", k + ":", v);
  for (const auto& i : m.invoices()) out << "invoice:        " << i << "\n";
}

int Address(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: address needs --tenant\n", 2);
  pb::GetInvoicingAddressRequest req;
  req.set_parent("tenants/" + a.tenant);
  pb::InvoicingAddress resp;
  if (int code = Call(stub, a.conn, &Stub::GetInvoicingAddress, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    out << resp.address() << "\n\n" << resp.instructions() << "\n";
  }
  return 0;
}

int List(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.tenant.empty()) return (err << "iobctl: list needs --tenant\n", 2);
  pb::ListInvoicesRequest req;
  req.set_parent("tenants/" + a.tenant);
  if (!a.state.empty()) {
    pb::InvoiceState state;
    if (!pb::InvoiceState_Parse("INVOICE_STATE_" + absl::AsciiStrToUpper(a.state), &state)) {
      return (err << "iobctl: unknown --state '" << a.state << "'\n", 2);
    }
    req.set_state(state);
  }
  if (!a.integration.empty()) {
    req.set_integration(ChildName(a.tenant, "integrations", a.integration));
  }
  req.set_po_number(a.po);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  pb::ListInvoicesResponse all;
  do {
    pb::ListInvoicesResponse page;
    if (int code = Call(stub, a.conn, &Stub::ListInvoices, req, &page, err)) return code;
    for (auto& i : *page.mutable_invoices()) *all.add_invoices() = std::move(i);
    all.set_next_page_token(page.next_page_token());
    req.set_page_token(page.next_page_token());
  } while (a.page_size == 0 && !req.page_token().empty());
  if (a.conn.json) {
    out << ToJson(all) << "\n";
    return 0;
  }
  out << absl::StrFormat("%-46s %-13s %-16s %-14s %-18s %s\n", "INVOICE", "STATE", "NUMBER",
                         "GROSS", "PO", "INTEGRATION");
  for (const auto& i : all.invoices()) {
    out << absl::StrFormat(
        "%-46s %-13s %-16s %-14s %-18s %s\n", i.name(), StateName(i.state()),
        i.invoice_number().value(), absl::StrCat(i.gross().value(), " ", i.currency()),
        i.po_numbers_size() > 0 ? i.po_numbers(0).value() : "-", i.integration());
  }
  if (!all.next_page_token().empty()) {
    out << "next page: --page-token " << all.next_page_token() << "\n";
  }
  return 0;
}

int Get(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::GetInvoiceRequest req;
  if (!NameOf(a, "invoices", req.mutable_name(), err)) return 2;
  pb::Invoice resp;
  if (int code = Call(stub, a.conn, &Stub::GetInvoice, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowInvoice(out, resp);
  }
  return 0;
}

int Resolve(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::ResolveExceptionRequest req;
  if (!NameOf(a, "invoices", req.mutable_name(), err)) return 2;
  if (a.accept == a.reject) return (err << "iobctl: resolve needs --accept or --reject\n", 2);
  if (a.note.empty()) return (err << "iobctl: resolve needs --note (why)\n", 2);
  req.set_decision(a.accept ? pb::ResolveExceptionRequest::DECISION_ACCEPT
                            : pb::ResolveExceptionRequest::DECISION_REJECT);
  req.set_note(a.note);
  req.set_request_id(a.request_id);
  pb::Invoice resp;
  if (int code = Call(stub, a.conn, &Stub::ResolveException, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowInvoice(out, resp);
  }
  return 0;
}

int Ingest(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  if (a.file.empty()) return (err << "iobctl: ingest needs --file MAIL.eml (- for stdin)\n", 2);
  std::string raw;
  if (a.file == "-") {
    raw.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(a.file, std::ios::binary);
    if (!in) return (err << "iobctl: cannot read " << a.file << "\n", 2);
    raw.assign(std::istreambuf_iterator<char>(in), {});
  }
  pb::IngestMessageRequest req;
  req.set_raw(raw);
  pb::Message resp;
  if (int code = Call(stub, a.conn, &Stub::IngestMessage, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowMessage(out, resp);
  }
  return 0;
}

int Message(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::GetMessageRequest req;
  if (!NameOf(a, "messages", req.mutable_name(), err)) return 2;
  req.set_include_raw(a.raw);
  pb::Message resp;
  if (int code = Call(stub, a.conn, &Stub::GetMessage, req, &resp, err)) return code;
  if (a.raw) {
    out << resp.raw();
  } else if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowMessage(out, resp);
  }
  return 0;
}

int Reprocess(Stub& stub, const Args& a, const common::Flags&, std::ostream& out,
              std::ostream& err) {
  pb::ReprocessMessageRequest req;
  if (!NameOf(a, "messages", req.mutable_name(), err)) return 2;
  req.set_request_id(a.request_id);
  pb::Message resp;
  if (int code = Call(stub, a.conn, &Stub::ReprocessMessage, req, &resp, err)) return code;
  if (a.conn.json) {
    out << ToJson(resp) << "\n";
  } else {
    ShowMessage(out, resp);
  }
  return 0;
}

}  // namespace

int RunInvoicesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::map<std::string, Subcommand<Stub, Args>> kSubcommands = {
      {"address", Address},    {"list", List},     {"get", Get},
      {"resolve", Resolve},    {"ingest", Ingest}, {"message", Message},
      {"reprocess", Reprocess}};
  return RunGrpcArea<pb::InvoiceService, Args>("invoices", kUsage, kSubcommands, Register, args,
                                               out, err);
}

}  // namespace iob::iobctl
