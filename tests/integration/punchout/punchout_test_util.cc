// The punchout suite's stack and its libcurl "browser".
#include "tests/integration/punchout/punchout_test_util.h"

#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "libs/cxml/form.h"

namespace iob::punchout::testing {
namespace {

// scheme://host:port of `url`.
std::string Origin(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const size_t slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string Resolve(const std::string& page_url, const std::string& action) {
  if (absl::StartsWith(action, "http://") || absl::StartsWith(action, "https://")) return action;
  return Origin(page_url) + action;
}

// The action of the <form> whose start tag precedes `at` most closely.
std::string FormActionBefore(const std::string& html, size_t at) {
  const size_t form = html.rfind("<form", at);
  if (form == std::string::npos) return "";
  const size_t end = html.find('>', form);
  const std::string tag = html.substr(form, end - form);
  const size_t a = tag.find("action=\"");
  if (a == std::string::npos) return "";
  const size_t q = tag.find('"', a + 8);
  return HtmlUnescape(tag.substr(a + 8, q - a - 8));
}

absl::StatusOr<std::string> Ok200(absl::StatusOr<HttpResult> r, const std::string& step) {
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat(step, ": HTTP ", r->status, "\n", r->body.substr(0, 2000)));
  }
  return r->body;
}

}  // namespace

std::unique_ptr<TestStack> StartPunchoutStack(const PunchoutStackOptions& options,
                                              std::string* error) {
  const std::set<std::string> platform = {"punchout.read", "punchout.start"};
  auto stack = TestStack::Create({
      .services = {Service::kCredentials, Service::kSupplierSim, Service::kPunchout},
      .principals = {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
                     {"admin",
                      {"integrations.read", "integrations.write"},
                      {"acme", "globex", "listco"}},
                     {"platform", platform, {"acme", "listco"}},
                     {"globex-platform", platform, {"globex"}},
                     {"acme-reader", {"punchout.read"}, {"acme"}}},
      // The simulator's loopback address is a test-mode host, and the Amazon
      // Business profile's hosts include it (as a deployment that points
      // test integrations at the simulator must configure).
      .flags = {{Service::kCredentials, {"--supplier-hosts", "amazon-business=127.0.0.1"}},
                {Service::kPunchout,
                 {"--supplier-timeout", options.supplier_timeout, "--session-ttl",
                  options.session_ttl}}},
      .mtls = options.mtls,
  });
  if (stack == nullptr) return nullptr;
  for (Service s : {Service::kCredentials, Service::kSupplierSim, Service::kPunchout}) {
    if (absl::Status st = stack->Start(s); !st.ok()) {
      *error = st.ToString();
      return nullptr;
    }
  }
  return stack;
}

absl::StatusOr<cpb::Integration> CreateIntegration(TestStack& stack, const std::string& tenant,
                                                   const std::string& id, const SimGroup& group,
                                                   const std::string& punchout_url) {
  cpb::CreateIntegrationRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration_id(id);
  cpb::Integration* in = req.mutable_integration();
  in->set_supplier("amazon-business");
  in->mutable_from()->set_identity(group.from_identity);
  in->set_shared_secret(group.shared_secret);
  in->set_punchout_url(punchout_url.empty() ? group.punchout_url : punchout_url);
  in->set_order_url(group.order_url);
  in->set_mode(cpb::MODE_TEST);
  cpb::Integration out;
  grpc::Status st = stack.Credentials()->CreateIntegration(stack.Ctx("admin").get(), req, &out);
  if (!st.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()),
                        "CreateIntegration: " + st.error_message());
  }
  return out;
}

grpc::Status StartCreate(TestStack& stack, const std::string& tenant,
                         const std::string& integration, const std::string& email, pb::Session* out,
                         const std::string& principal) {
  pb::StartSessionRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration(integration);
  req.mutable_user()->set_id("u-" + email.substr(0, email.find('@')));
  req.mutable_user()->set_email(email);
  req.mutable_user()->set_name("Test User");
  req.set_operation(pb::OPERATION_CREATE);
  return stack.Punchout()->StartSession(stack.Ctx(principal).get(), req, out);
}

double StartedTotal(TestStack& stack, const std::string& outcome) {
  const std::string m = stack.Metrics(Service::kPunchout);
  if (m.empty()) return -1;
  return SampleSum(m, "iob_punchout_sessions_started_total", {{"outcome", outcome}});
}

std::string HtmlUnescape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string::npos || semi - i > 10) {
      out += s[i++];
      continue;
    }
    const std::string ent = s.substr(i + 1, semi - i - 1);
    int code = -1;
    if (ent == "amp")
      code = '&';
    else if (ent == "lt")
      code = '<';
    else if (ent == "gt")
      code = '>';
    else if (ent == "quot")
      code = '"';
    else if (ent == "apos")
      code = '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      int v = 0;
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      if ((hex && absl::SimpleHexAtoi(ent.substr(2), &v)) ||
          (!hex && absl::SimpleAtoi(ent.substr(1), &v))) {
        code = v;
      }
    }
    if (code < 0 || code > 0x7f) {  // the pages only escape ASCII
      out += s[i++];
      continue;
    }
    out += static_cast<char>(code);
    i = semi + 1;
  }
  return out;
}

absl::StatusOr<AutoPostForm> ParseAutoPostForm(const std::string& html) {
  const size_t form = html.find("id=\"cxml-return\"");
  if (form == std::string::npos) {
    return absl::NotFoundError("no cxml-return form in the page:\n" + html.substr(0, 2000));
  }
  AutoPostForm f;
  f.action = FormActionBefore(html, form + 1);
  const size_t input = html.find("<input type=\"hidden\" name=\"", form);
  if (input == std::string::npos) return absl::NotFoundError("no hidden input in the form");
  const size_t name_at = input + std::string("<input type=\"hidden\" name=\"").size();
  const size_t name_end = html.find('"', name_at);
  f.field = html.substr(name_at, name_end - name_at);
  const size_t value_at = html.find("value=\"", name_end);
  if (value_at == std::string::npos) return absl::NotFoundError("no value in the hidden input");
  const size_t value_end = html.find('"', value_at + 7);
  f.value = HtmlUnescape(html.substr(value_at + 7, value_end - value_at - 7));
  return f;
}

std::string FormBody(const std::string& field, const std::string& value) {
  return absl::StrCat(cxml::FormUrlEncode(field), "=", cxml::FormUrlEncode(value));
}

absl::StatusOr<HttpResult> SubmitAutoPost(const AutoPostForm& form) {
  return Http("POST", form.action, FormBody(form.field, form.value),
              "application/x-www-form-urlencoded");
}

absl::StatusOr<std::string> ShopAndCheckout(const std::string& start_page_url,
                                            const std::vector<std::pair<std::string, int>>& items) {
  absl::StatusOr<std::string> page = Ok200(Http("GET", start_page_url), "start page");
  if (!page.ok()) return page.status();
  for (const auto& [sku, qty] : items) {
    const size_t at = page->find(absl::StrCat("name=\"add\" value=\"", sku, "\""));
    if (at == std::string::npos) {
      return absl::NotFoundError(absl::StrCat("no Add form for ", sku, " in\n", *page));
    }
    const std::string action = FormActionBefore(*page, at);
    page =
        Ok200(Http("POST", Resolve(start_page_url, action), absl::StrCat("add=", sku, "&qty=", qty),
                   "application/x-www-form-urlencoded", /*follow=*/true),
              "add " + sku);
    if (!page.ok()) return page.status();
  }
  const size_t checkout = page->find("data-testid=\"checkout\"");
  if (checkout == std::string::npos) return absl::NotFoundError("no checkout button");
  const std::string action = FormActionBefore(*page, checkout);
  return Ok200(
      Http("POST", Resolve(start_page_url, action), "", "application/x-www-form-urlencoded", true),
      "checkout");
}

absl::StatusOr<std::string> EmptyCartAndCheckout(const std::string& start_page_url) {
  absl::StatusOr<std::string> page = Ok200(Http("GET", start_page_url), "start page");
  if (!page.ok()) return page.status();
  for (int guard = 0; guard < 50; ++guard) {
    const size_t button = page->find("form=\"remove-form\" name=\"remove\" value=\"");
    if (button == std::string::npos) break;
    const size_t v = button + std::string("form=\"remove-form\" name=\"remove\" value=\"").size();
    const std::string key = HtmlUnescape(page->substr(v, page->find('"', v) - v));
    const size_t form = page->find("id=\"remove-form\"");
    if (form == std::string::npos) return absl::NotFoundError("no remove-form");
    const std::string action = FormActionBefore(*page, form + 1);
    page = Ok200(Http("POST", Resolve(start_page_url, action), FormBody("remove", key),
                      "application/x-www-form-urlencoded", true),
                 "remove " + key);
    if (!page.ok()) return page.status();
  }
  if (!absl::StrContains(*page, "data-testid=\"cart-empty\"")) {
    return absl::FailedPreconditionError("cart not empty after removing:\n" + *page);
  }
  const size_t checkout = page->find("data-testid=\"checkout\"");
  if (checkout == std::string::npos) return absl::NotFoundError("no checkout button");
  return Ok200(Http("POST", Resolve(start_page_url, FormActionBefore(*page, checkout)), "",
                    "application/x-www-form-urlencoded", true),
               "checkout");
}

absl::StatusOr<pb::Session> ShopAndReturnCart(
    TestStack& stack, const std::string& tenant, const std::string& integration,
    const std::string& email, const std::vector<std::pair<std::string, int>>& items) {
  pb::Session session;
  grpc::Status st = StartCreate(stack, tenant, integration, email, &session);
  if (!st.ok()) return absl::UnknownError("StartSession: " + st.error_message());
  auto checkout = ShopAndCheckout(session.start_page_url(), items);
  if (!checkout.ok()) return checkout.status();
  auto form = ParseAutoPostForm(*checkout);
  if (!form.ok()) return form.status();
  auto posted = SubmitAutoPost(*form);
  if (!posted.ok()) return posted.status();
  if (posted->status != 200) {
    return absl::FailedPreconditionError(absl::StrCat("cart post: HTTP ", posted->status));
  }
  return session;
}

}  // namespace iob::punchout::testing
