#include "tools/iobctl/rules_command.h"

#include <google/protobuf/util/time_util.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "iob/dispatch/v1/dispatch_service.grpc.pb.h"
#include "tools/iobctl/connection.h"

namespace iob::iobctl {
namespace {

namespace pb = ::iob::dispatch::v1;
using google::protobuf::util::TimeUtil;

constexpr char kUsage[] =
    "usage: iobctl rules <get|set> [flags]\n"
    "  get --tenant T --integration I\n"
    "  set --tenant T --integration I [--electronic on|off] [--pdf on|off]\n"
    "      [--confirmation-deadline 24h] [--request-id R]\n"
    "      what set is not given keeps its current value (an integration without a stored\n"
    "      rule has the default: electronic on, PDF off, 24h)\n"
    "common: --addr HOST:PORT (IOB_ADDR, default 127.0.0.1:7103) --token-file F --json\n"
    "        --tls-ca-file F [--tls-cert-file F --tls-key-file F] (IOB_TLS_CA_FILE, ...)\n";

struct Args {
  Connection conn;
  std::string tenant, integration, electronic, pdf, request_id;
  absl::Duration confirmation_deadline = absl::Hours(24);
  std::vector<std::string> positional;
};

void Register(common::Flags& f, Args& a) {
  a.conn.Register(f, kDispatchAddr);
  f.Add("tenant", &a.tenant, "tenant id");
  f.Add("integration", &a.integration, "integration id or resource name");
  f.Add("electronic", &a.electronic, "on|off: send the order as a cXML OrderRequest");
  f.Add("pdf", &a.pdf, "on|off: send the order PDF by e-mail");
  f.Add("confirmation-deadline", &a.confirmation_deadline,
        "a delivered order without a confirmation after this long is flagged unconfirmed");
  f.Add("request-id", &a.request_id, "idempotency key");
}

std::string OnOff(bool on) { return on ? "on" : "off"; }

void ShowRule(std::ostream& out, const pb::DispatchRule& r) {
  const std::pair<std::string, std::string> rows[] = {
      {"rule", r.name()},
      {"electronic (cXML)", OnOff(r.send_cxml())},
      {"pdf by e-mail", OnOff(r.send_pdf())},
      {"confirm within", DurationText(r.confirmation_deadline())},
      {"stored", r.stored() ? absl::StrCat("yes, updated ", TimeText(r.update_time()))
                            : "no (the default rule)"},
  };
  for (const auto& [k, v] : rows) out << absl::StrFormat("%-18s %s\n", k + ":", v);
}

void PrintRule(std::ostream& out, const Args& a, const pb::DispatchRule& r) {
  if (a.conn.json) {
    out << ToJson(r) << "\n";
  } else {
    ShowRule(out, r);
  }
}

// tenants/T/integrations/I/dispatchRule from --tenant and --integration.
bool RuleName(const Args& a, std::string* name, std::ostream& err) {
  const std::string integration = ChildName(a.tenant, "integrations", a.integration);
  if (integration.empty()) {
    err << "iobctl: name the integration: --tenant T --integration I\n";
    return false;
  }
  *name = integration + "/dispatchRule";
  return true;
}

// Sets `*value` from "on" / "off" in flag `flag` when it was given.
bool ParseSwitch(const common::Flags& f, const std::string& flag, const std::string& text,
                 bool* value, std::ostream& err) {
  if (!f.Given(flag)) return true;
  if (text != "on" && text != "off") {
    err << "iobctl: --" << flag << " must be on or off\n";
    return false;
  }
  *value = text == "on";
  return true;
}

using Stub = pb::DispatchService::Stub;

int Get(Stub& stub, const Args& a, const common::Flags&, std::ostream& out, std::ostream& err) {
  pb::GetDispatchRuleRequest req;
  if (!RuleName(a, req.mutable_name(), err)) return 2;
  pb::DispatchRule resp;
  if (int code = Call(stub, a.conn, &Stub::GetDispatchRule, req, &resp, err)) return code;
  PrintRule(out, a, resp);
  return 0;
}

// Reads the current rule, changes what the flags give and stores it (the API
// takes the whole rule).
int Set(Stub& stub, const Args& a, const common::Flags& f, std::ostream& out, std::ostream& err) {
  pb::GetDispatchRuleRequest get;
  if (!RuleName(a, get.mutable_name(), err)) return 2;
  if (!f.Given("electronic") && !f.Given("pdf") && !f.Given("confirmation-deadline")) {
    return (err << "iobctl: set needs --electronic, --pdf or --confirmation-deadline\n", 2);
  }
  pb::UpdateDispatchRuleRequest req;
  pb::DispatchRule* rule = req.mutable_rule();
  bool send_cxml = false, send_pdf = false;
  if (!ParseSwitch(f, "electronic", a.electronic, &send_cxml, err) ||
      !ParseSwitch(f, "pdf", a.pdf, &send_pdf, err)) {
    return 2;
  }
  if (int code = Call(stub, a.conn, &Stub::GetDispatchRule, get, rule, err)) return code;
  if (f.Given("electronic")) rule->set_send_cxml(send_cxml);
  if (f.Given("pdf")) rule->set_send_pdf(send_pdf);
  if (f.Given("confirmation-deadline")) {
    *rule->mutable_confirmation_deadline() =
        TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(a.confirmation_deadline));
  }
  rule->clear_stored();
  rule->clear_update_time();
  req.set_request_id(a.request_id);
  pb::DispatchRule resp;
  if (int code = Call(stub, a.conn, &Stub::UpdateDispatchRule, req, &resp, err)) return code;
  PrintRule(out, a, resp);
  return 0;
}

}  // namespace

int RunRulesCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  static const std::map<std::string, Subcommand<Stub, Args>> kSubcommands = {{"get", Get},
                                                                             {"set", Set}};
  return RunGrpcArea<pb::DispatchService, Args>("rules", kUsage, kSubcommands, Register, args, out,
                                                err);
}

}  // namespace iob::iobctl
