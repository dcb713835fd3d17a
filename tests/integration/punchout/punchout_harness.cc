// The punchout test stack: real processes, real HTTP, real gRPC.
#include "tests/integration/punchout/punchout_harness.h"

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/cxml/form.h"

namespace iob::punchout::testing {
namespace {

using ::iob::testing::TestEnv;

size_t CurlWrite(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t CurlHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  if (absl::StartsWithIgnoreCase(line, "location:")) {
    *static_cast<std::string*>(out) =
        std::string(absl::StripAsciiWhitespace(absl::string_view(line).substr(9)));
  }
  return size * n;
}

std::string Binary(const std::string& relative) {
  return absl::StrCat(TestEnv("IOB_BINARY_DIR", "."), "/", relative);
}

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

absl::StatusOr<nlohmann::json> ParseJson(absl::StatusOr<HttpResult> r, const std::string& what) {
  if (!r.ok()) return r.status();
  if (r->status / 100 != 2) {
    return absl::FailedPreconditionError(absl::StrCat(what, ": HTTP ", r->status, " ", r->body));
  }
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) return absl::InternalError(absl::StrCat(what, ": not JSON: ", r->body));
  return j;
}

}  // namespace

absl::StatusOr<HttpResult> Http(const std::string& method, const std::string& url,
                                const std::string& body, const std::string& content_type,
                                bool follow) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  HttpResult out;
  curl_slist* headers = nullptr;
  if (!content_type.empty()) {
    headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CurlWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &CurlHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &out.location);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (follow) {
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTREDIR, 0L);  // 301/302/303 -> GET, as browsers do
  }
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
  char* ct = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
  if (ct != nullptr) out.content_type = ct;
  char* eff = nullptr;
  curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &eff);
  if (eff != nullptr) out.effective_url = eff;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(method, " ", url, ": ", curl_easy_strerror(rc)));
  }
  return out;
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

// ---- PunchoutStack -----------------------------------------------------------

std::unique_ptr<PunchoutStack> PunchoutStack::Create(const StackOptions& options,
                                                     std::string* error) {
  auto db = iob::testing::PgTestDatabase::Create();
  if (db == nullptr) return nullptr;
  std::unique_ptr<PunchoutStack> s(new PunchoutStack());
  s->options_ = options;
  s->db_ = std::move(db);
  s->credentials_role_ = s->db_->CreateServiceRole("iob_credentials", "credentials");
  s->punchout_role_ = s->db_->CreateServiceRole("iob_punchout", "punchout");
  s->dir_ = iob::testing::MakeTempDir("iob-punchout-");
  const std::set<std::string> platform = {"punchout.read", "punchout.start"};
  s->secrets_ = iob::testing::WriteTestSecrets(
      s->dir_, "k1",
      {{"punchout", {"integrations.read", "secrets.resolve"}, {"*"}},
       {"admin", {"integrations.read", "integrations.write"}, {"acme", "globex", "listco"}},
       {"platform", platform, {"acme", "listco"}},
       {"globex-platform", platform, {"globex"}},
       {"acme-reader", {"punchout.read"}, {"acme"}}});
  s->punchout_token_file_ = s->dir_ + "/punchout.token";
  iob::testing::WriteFileAtomically(s->punchout_token_file_,
                                    s->secrets_.tokens.at("punchout") + "\n");

  auto fail = [&](const std::string& what, const absl::Status& st) {
    *error = absl::StrCat(what, ": ", st.ToString());
    return nullptr;
  };
  // Credentials: the simulator's loopback address is a test-mode host, and
  // the Amazon Business profile's hosts include it (as a deployment that
  // points test integrations at the simulator must configure).
  auto cred = ServiceProcess::Start(
      {.binary = Binary("services/credentials/iob-credentials"),
       .args = {"serve", "--db-url", s->credentials_role_.url, "--key-ring-file",
                s->secrets_.key_ring_file, "--tokens-file", s->secrets_.tokens_file,
                "--db-pool-size", "4", "--grpc-listen", "127.0.0.1:0", "--metrics-listen",
                "127.0.0.1:0", "--test-mode-hosts", "127.0.0.1,localhost", "--supplier-hosts",
                "amazon-business=127.0.0.1"},
       .env = {},
       .log_path = s->dir_ + "/credentials.log"});
  if (!cred.ok()) return fail("start credentials", cred.status());
  s->credentials_ = std::move(cred).value();

  auto sim = ServiceProcess::Start({.binary = Binary("tools/supplier-sim/iob-supplier-sim"),
                                    .args = {"--listen", "127.0.0.1:0"},
                                    .env = {},
                                    .log_path = s->dir_ + "/sim.log"});
  if (!sim.ok()) return fail("start sim", sim.status());
  s->sim_ = std::move(sim).value();

  if (absl::Status st = s->credentials_->WaitServing(absl::Seconds(60)); !st.ok()) {
    return fail("credentials", st);
  }
  if (absl::Status st = s->sim_->WaitForLogMessage("serving", absl::Seconds(30)); !st.ok()) {
    return fail("sim", st);
  }
  auto sim_port = s->sim_->LogIntField("serving", "http_port");
  if (!sim_port.ok()) return fail("sim port", sim_port.status());
  s->sim_port_ = *sim_port;

  auto po = ServiceProcess::Start({.binary = Binary("services/punchout/iob-punchout"),
                                   .args = s->PunchoutArgs(),
                                   .env = {},
                                   .log_path = s->dir_ + "/punchout.log"});
  if (!po.ok()) return fail("start punchout", po.status());
  s->punchout_ = std::move(po).value();
  if (absl::Status st = s->punchout_->WaitServing(absl::Seconds(60)); !st.ok()) {
    return fail("punchout", st);
  }
  auto http_port = s->punchout_->LogIntField("http serving", "http_port");
  if (!http_port.ok()) return fail("punchout http port", http_port.status());
  s->punchout_http_port_ = *http_port;
  return s;
}

PunchoutStack::~PunchoutStack() {
  punchout_.reset();
  sim_.reset();
  credentials_.reset();
  db_.reset();
  if (!dir_.empty() && std::getenv("IOB_KEEP_TEST_DIRS") == nullptr) {
    iob::testing::RemoveTree(dir_);
  }
}

std::vector<std::string> PunchoutStack::PunchoutArgs() const {
  return {"serve",
          "--db-url",
          punchout_role_.url,
          "--db-pool-size",
          "4",
          "--tokens-file",
          secrets_.tokens_file,
          "--credentials-addr",
          credentials_->grpc_address(),
          "--credentials-token-file",
          punchout_token_file_,
          "--grpc-listen",
          "127.0.0.1:0",
          "--metrics-listen",
          "127.0.0.1:0",
          "--http-listen",
          "127.0.0.1:0",
          "--plain-http-hosts",
          "127.0.0.1",
          "--supplier-timeout",
          options_.supplier_timeout,
          "--session-ttl",
          options_.session_ttl,
          "--return-url",
          "https://p2p.example/punchout/return?session={session}"};
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> PunchoutStack::StartPunchout(
    const std::vector<std::string>& extra_args, int* http_port) {
  std::vector<std::string> args = PunchoutArgs();
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto p = ServiceProcess::Start(
      {.binary = Binary("services/punchout/iob-punchout"),
       .args = args,
       .env = {},
       .log_path = absl::StrCat(dir_, "/punchout-extra-", extra_index_++, ".log")});
  if (!p.ok()) return p.status();
  if (absl::Status st = (*p)->WaitServing(absl::Seconds(60)); !st.ok()) return st;
  auto port = (*p)->LogIntField("http serving", "http_port");
  if (!port.ok()) return port.status();
  *http_port = *port;
  return p;
}

std::string PunchoutStack::sim_url() const { return absl::StrCat("http://127.0.0.1:", sim_port_); }

absl::StatusOr<SimGroup> PunchoutStack::CreateSimGroup(const std::string& json) {
  auto j = ParseJson(Http("POST", sim_url() + "/admin/groups", json, "application/json"),
                     "POST /admin/groups");
  if (!j.ok()) return j.status();
  SimGroup g;
  g.from_identity = j->value("from_identity", "");
  g.shared_secret = j->value("shared_secret", "");
  g.punchout_url = j->value("punchout_url", "");
  g.order_url = j->value("order_url", "");
  g.cart_encoding = j->value("cart_encoding", "");
  return g;
}

absl::StatusOr<nlohmann::json> PunchoutStack::SimGet(const std::string& path) {
  return ParseJson(Http("GET", sim_url() + path), "GET " + path);
}

absl::StatusOr<nlohmann::json> PunchoutStack::SimPost(const std::string& path,
                                                      const std::string& json) {
  return ParseJson(Http("POST", sim_url() + path, json, "application/json"), "POST " + path);
}

absl::StatusOr<std::vector<std::string>> PunchoutStack::SimReceived(const std::string& endpoint) {
  auto j = SimGet("/admin/received?endpoint=" + endpoint);
  if (!j.ok()) return j.status();
  std::vector<std::string> out;
  for (const auto& d : (*j)["documents"]) out.push_back(d.value("body", ""));
  return out;
}

int64_t PunchoutStack::SimOutcomeCount(const std::string& endpoint, const std::string& outcome) {
  auto j = SimGet("/admin/stats");
  if (!j.ok()) return -1;
  const auto& e = (*j)["endpoints"];
  if (!e.contains(endpoint) || !e[endpoint]["outcomes"].contains(outcome)) return 0;
  return e[endpoint]["outcomes"][outcome].get<int64_t>();
}

absl::StatusOr<cpb::Integration> PunchoutStack::CreateIntegration(const std::string& tenant,
                                                                  const std::string& id,
                                                                  const SimGroup& group,
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
  grpc::Status st = Credentials()->CreateIntegration(Ctx("admin").get(), req, &out);
  if (!st.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()),
                        "CreateIntegration: " + st.error_message());
  }
  return out;
}

std::unique_ptr<pb::PunchoutService::Stub> PunchoutStack::Punchout() const {
  return PunchoutAt(punchout_->grpc_address());
}

std::unique_ptr<pb::PunchoutService::Stub> PunchoutStack::PunchoutAt(
    const std::string& address) const {
  return pb::PunchoutService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

std::unique_ptr<cpb::CredentialsService::Stub> PunchoutStack::Credentials() const {
  return cpb::CredentialsService::NewStub(
      grpc::CreateChannel(credentials_->grpc_address(), grpc::InsecureChannelCredentials()));
}

std::unique_ptr<grpc::ClientContext> PunchoutStack::Ctx(const std::string& principal) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!principal.empty()) {
    ctx->AddMetadata("authorization", "Bearer " + secrets_.tokens.at(principal));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

grpc::Status PunchoutStack::StartCreate(const std::string& tenant, const std::string& integration,
                                        const std::string& email, pb::Session* out,
                                        const std::string& principal) {
  pb::StartSessionRequest req;
  req.set_parent("tenants/" + tenant);
  req.set_integration(integration);
  req.mutable_user()->set_id("u-" + email.substr(0, email.find('@')));
  req.mutable_user()->set_email(email);
  req.mutable_user()->set_name("Test User");
  req.set_operation(pb::OPERATION_CREATE);
  return Punchout()->StartSession(Ctx(principal).get(), req, out);
}

std::string PunchoutStack::Metrics() const {
  auto body = iob::testing::HttpGet(punchout_->metrics_port(), "/metrics");
  return body.ok() ? *body : "";
}

double PunchoutStack::StartedTotal(const std::string& outcome) const {
  const std::string m = Metrics();
  if (m.empty()) return -1;
  return SampleSum(m, "iob_punchout_sessions_started_total", {{"outcome", outcome}});
}

double SampleSum(const std::string& metrics, const std::string& name,
                 const std::map<std::string, std::string>& labels) {
  double sum = 0;
  for (absl::string_view line : absl::StrSplit(metrics, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    if (!absl::StartsWith(line, name)) continue;
    absl::string_view rest = line.substr(name.size());
    std::string label_text;
    if (absl::ConsumePrefix(&rest, "{")) {
      const size_t close = rest.find('}');
      if (close == absl::string_view::npos) continue;
      label_text = std::string(rest.substr(0, close));
      rest = rest.substr(close + 1);
    } else if (!absl::StartsWith(rest, " ")) {
      continue;  // a longer metric name
    }
    bool match = true;
    for (const auto& [k, v] : labels) {
      match = match && absl::StrContains(label_text, absl::StrCat(k, "=\"", v, "\""));
    }
    double value = 0;
    if (match && absl::SimpleAtod(absl::StripAsciiWhitespace(rest), &value)) sum += value;
  }
  return sum;
}

}  // namespace iob::punchout::testing
