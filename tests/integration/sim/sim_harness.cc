#include "tests/integration/sim/sim_harness.h"

#include <curl/curl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/form.h"
#include "libs/cxml/payload_id.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/timestamp.h"
#include "libs/cxml/writer.h"
#include "nlohmann/json.hpp"
#include "tests/support/wait.h"
#include "tools/supplier-sim/cxml_http.h"

namespace iob::sim::testing {

std::unique_ptr<http::CurlHttpClient> LoopbackClient(absl::Duration total_timeout) {
  http::EgressPolicyOptions o;
  o.plain_http_hosts = {"127.0.0.1"};
  o.total_timeout = total_timeout;
  o.connect_timeout = absl::Seconds(5);
  return std::make_unique<http::CurlHttpClient>(http::EgressPolicy(o));
}

FulfillmentBuyer::FulfillmentBuyer() {
  server_.Post("/cxml/fulfill", [this](const httplib::Request& req, httplib::Response& res) {
    int code = 200;
    {
      absl::MutexLock lock(&mu_);
      bodies_.push_back(req.body);
      if (!codes_.empty()) {
        code = codes_.front();
        codes_.erase(codes_.begin());
      }
    }
    cxml::Response answer;
    answer.status.code = code;
    answer.status.text = code == 200 ? "OK" : "Temporary failure";
    SendCxmlResponse(answer, res);
  });
  auto port = server_.Start();
  EXPECT_TRUE(port.ok()) << port.status();
  url_ = absl::StrCat("http://127.0.0.1:", port.ok() ? *port : 0, "/cxml/fulfill");
}

void FulfillmentBuyer::AnswerNext(std::vector<int> codes) {
  absl::MutexLock lock(&mu_);
  codes_ = std::move(codes);
}

std::vector<std::string> FulfillmentBuyer::bodies() const {
  absl::MutexLock lock(&mu_);
  return bodies_;
}

std::vector<std::string> FulfillmentBuyer::WaitForDocuments(size_t n) const {
  ::iob::testing::WaitFor([&] { return bodies().size() >= n; },
                          absl::StrCat(n, " fulfilment documents"), absl::Seconds(20));
  return bodies();
}

SimHarness::SimHarness(SimOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  sim_ = std::make_unique<SupplierSim>(std::move(options));
  auto port = sim_->Start();
  if (!port.ok()) {
    ADD_FAILURE() << "simulator did not start: " << port.status();
    std::abort();
  }
  base_ = absl::StrCat("http://127.0.0.1:", *port);
  client_ = LoopbackClient();
}

SimHarness::~SimHarness() {
  client_.reset();  // close pooled keep-alive connections first
  sim_->Stop();
}

absl::StatusOr<http::HttpResponse> SimHarness::Get(const std::string& path) {
  http::HttpRequest r;
  r.method = "GET";
  r.url = base_ + path;
  return client_->Send(r);
}

absl::StatusOr<http::HttpResponse> SimHarness::Post(const std::string& path,
                                                    const std::string& body,
                                                    const std::string& content_type) {
  http::HttpRequest r;
  r.method = "POST";
  r.url = base_ + path;
  r.body = body;
  r.content_type = content_type;
  return client_->Send(r);
}

namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<http::HeaderList*>(out)->emplace_back(line.substr(0, colon), value);
  }
  return size * n;
}

}  // namespace

absl::StatusOr<http::HttpResponse> SimHarness::PostForm(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += '&';
    absl::StrAppend(&body, cxml::FormUrlEncode(k), "=", cxml::FormUrlEncode(v));
  }
  const std::string url = base_ + path;
  http::HttpResponse res;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("curl_easy_init failed");
  curl_slist* headers =
      curl_slist_append(nullptr, "Content-Type: application/x-www-form-urlencoded");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &res.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &res.headers);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) res.content_type = type;
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(rc));
  res.status = static_cast<int>(status);
  return res;
}

std::string HeaderValue(const http::HttpResponse& res, const std::string& name) {
  for (const auto& [k, v] : res.headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

GroupCredentials SimHarness::CreateGroup(const std::string& json) {
  auto r = Post("/admin/groups", json, "application/json");
  GroupCredentials g;
  if (!r.ok() || r->status != 201) {
    ADD_FAILURE() << "POST /admin/groups: "
                  << (r.ok() ? absl::StrCat(r->status, " ", r->body) : r.status().ToString());
    return g;
  }
  auto j = nlohmann::json::parse(r->body);
  g.from_identity = j.value("from_identity", "");
  g.shared_secret = j.value("shared_secret", "");
  g.punchout_url = j.value("punchout_url", "");
  g.order_url = j.value("order_url", "");
  g.cart_encoding = j.value("cart_encoding", "");
  return g;
}

namespace {

// POSTs `xml` to `path` and reads the cXML Response (one carrying a
// PunchOutSetupResponse included).
absl::StatusOr<cxml::Response> PostCxml(SimHarness& h, const std::string& path,
                                        const std::string& xml) {
  auto r = h.Post(path, xml, "text/xml; charset=UTF-8");
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::InternalError(absl::StrCat("HTTP ", r->status, ": ", r->body.substr(0, 200)));
  }
  auto doc = cxml::ReadDocument(r->body);
  if (!doc.ok()) return doc.status();
  if (!std::holds_alternative<cxml::Response>(doc->body)) {
    return absl::InternalError("the answer is not a cXML Response");
  }
  return std::get<cxml::Response>(doc->body);
}

}  // namespace

absl::StatusOr<cxml::Response> SimHarness::PunchOut(const std::string& xml) {
  return PostCxml(*this, "/punchout", xml);
}

absl::StatusOr<cxml::Response> SimHarness::Order(const std::string& xml) {
  return PostCxml(*this, "/order", xml);
}

std::string SimHarness::StartSession(const GroupCredentials& group,
                                     const cxml::PunchOutSetupRequest& request) {
  auto r = PunchOut(SetupXml(group.from_identity, group.shared_secret, request));
  if (!r.ok() || r->status.code != 200 || !r->punch_out_setup_response.has_value()) {
    ADD_FAILURE() << "setup failed: "
                  << (r.ok() ? absl::StrCat(r->status.code, " ", r->status.message)
                             : r.status().ToString());
    return "";
  }
  return TokenOf(r->punch_out_setup_response->start_page_url);
}

cxml::Document BuyerDocument(const std::string& identity, const std::string& secret,
                             cxml::Body body) {
  cxml::Document d;
  const absl::Time now = absl::Now();
  d.payload_id = cxml::NewPayloadId(now, "sim-test");
  d.timestamp = cxml::FormatTimestamp(now);
  d.header.from = {{"NetworkID", identity, ""}};
  d.header.to = {{"NetworkID", "Amazon", ""}};
  d.header.sender = {{"NetworkID", identity, secret}};
  d.header.user_agent = "iob-sim-test";
  d.body = std::move(body);
  return d;
}

std::string WriteOrDie(const cxml::Document& doc) {
  auto xml = cxml::WriteDocument(doc);
  if (!xml.ok()) {
    ADD_FAILURE() << "writer refused the document: " << xml.status();
    std::abort();
  }
  return *xml;
}

cxml::Document SetupDocument(const std::string& identity, const std::string& secret,
                             const cxml::PunchOutSetupRequest& request) {
  return BuyerDocument(identity, secret, request);
}

std::string SetupXml(const std::string& identity, const std::string& secret,
                     const cxml::PunchOutSetupRequest& request) {
  return WriteOrDie(SetupDocument(identity, secret, request));
}

cxml::OrderRequest SampleOrder(const std::string& order_id, int lines) {
  auto order = std::get<cxml::OrderRequest>(cxml::ExampleOrderRequest(lines).body);
  order.order_id = order_id;
  order.type = cxml::OrderType::kNew;
  order.order_version = "1";
  order.document_reference.clear();
  return order;
}

cxml::PunchOutSetupRequest CreateRequest(const std::string& cookie, const std::string& post_url) {
  cxml::PunchOutSetupRequest r;
  r.operation = cxml::PunchOutOperation::kCreate;
  r.buyer_cookie = cookie;
  r.browser_form_post_url = post_url;
  r.extrinsics = {{"UserEmail", cxml::RawXml::FromText("jane.doe@buyer.example")},
                  {"UniqueName", cxml::RawXml::FromText("jdoe")},
                  {"UserBusinessUnit", cxml::RawXml::FromText("Facilities & Ops")}};
  const auto example = cxml::ExampleDocument(cxml::DocumentType::kPunchOutSetupRequest);
  r.ship_to = std::get<cxml::PunchOutSetupRequest>(example.body).ship_to;
  return r;
}

std::string HtmlUnescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] != '&') {
      out += s[i++];
      continue;
    }
    size_t semi = s.find(';', i);
    std::string ent = semi == std::string::npos ? "" : s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out += '&';
    } else if (ent == "lt") {
      out += '<';
    } else if (ent == "gt") {
      out += '>';
    } else if (ent == "quot") {
      out += '"';
    } else if (ent.size() > 1 && ent[0] == '#' && ent[1] != 'x') {
      out += static_cast<char>(std::atoi(ent.c_str() + 1));
    } else {
      out += s[i++];
      continue;
    }
    i = semi + 1;
  }
  return out;
}

std::string AttributeOf(const std::string& html, const std::string& marker,
                        const std::string& attr) {
  size_t at = html.find(marker);
  if (at == std::string::npos) return "";
  size_t open = html.rfind('<', at);
  size_t close = html.find('>', at);
  if (open == std::string::npos || close == std::string::npos) return "";
  std::string tag = html.substr(open, close - open);
  std::string key = " " + attr + "=\"";
  size_t k = tag.find(key);
  if (k == std::string::npos) return "";
  size_t start = k + key.size();
  size_t end = tag.find('"', start);
  return HtmlUnescape(tag.substr(start, end - start));
}

std::string BrowserFormBody(const std::string& html) {
  for (const std::string field : {"cxml-urlencoded", "cxml-base64"}) {
    std::string marker = "name=\"" + field + "\"";
    if (html.find(marker) == std::string::npos) continue;
    return absl::StrCat(field, "=", cxml::FormUrlEncode(AttributeOf(html, marker, "value")));
  }
  return "";
}

absl::StatusOr<cxml::Document> DecodeCheckoutPage(const std::string& html) {
  std::string body = BrowserFormBody(html);
  if (body.empty()) return absl::NotFoundError("no cart field in the checkout page");
  auto xml = cxml::ExtractCxml(body);
  if (!xml.ok()) return xml.status();
  return cxml::ReadDocumentOfType(*xml, cxml::DocumentType::kPunchOutOrderMessage);
}

std::string TokenOf(const std::string& url) {
  size_t slash = url.rfind('/');
  return slash == std::string::npos ? "" : url.substr(slash + 1);
}

}  // namespace iob::sim::testing
