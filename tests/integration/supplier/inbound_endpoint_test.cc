// libs/supplier InboundEndpoint over real HTTP: an http::HttpServer on
// loopback serves the endpoint, libcurl posts real cXML (the golden Amazon
// ConfirmationRequest) the way a supplier does, and the test reads the cXML
// Response back: its Status code, HTTP 200 and text/xml, and its validity
// against the cXML DTD (xmllint). Credentials come from a
// FakeCredentialsClient; no database is needed.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/form.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/status.h"
#include "libs/http/server.h"
#include "libs/runtime/service_host.h"
#include "libs/supplier/fake_credentials_client.h"
#include "libs/supplier/inbound.h"
#include "tests/support/cxml_dtd.h"
#include "tests/support/http_client.h"

namespace iob::supplier {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "amz-s3cret";  // the golden document's SharedSecret
constexpr char kIntegration[] = "tenants/acme/integrations/amazon";

std::string GoldenConfirmation() {
  const char* root = std::getenv("IOB_SOURCE_DIR");
  auto xml = runtime::ReadFile(std::string(root ? root : ".") +
                               "/tests/data/cxml/golden/amazon_confirmation.xml");
  if (!xml.ok()) {
    std::fprintf(stderr, "%s\n", xml.status().ToString().c_str());
    std::abort();
  }
  return *xml;
}

// What the handler saw.
struct Call {
  VerifiedSender sender;
  cxml::Document document;
  std::string xml;
};

class InboundEndpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    credentials_.AddSender({"NetworkId", "AN01000000001", ""}, kSecret,
                           {kIntegration, "acme", "amazon-business"});
    endpoint_ = std::make_unique<InboundEndpoint>(
        InboundEndpointOptions{
            "/cxml/inbound", cxml::DocumentType::kConfirmationRequest, {}, "iob.test", {}},
        &credentials_,
        [this](const VerifiedSender& sender, const cxml::Document& document, std::string_view xml) {
          absl::MutexLock lock(&mu_);
          calls_.push_back({sender, document, std::string(xml)});
          return answer_;
        });
    endpoint_->Register(server_);
    auto port = server_.Start();
    ASSERT_TRUE(port.ok()) << port.status();
    url_ = absl::StrCat("http://127.0.0.1:", *port, "/cxml/inbound");
  }

  void TearDown() override { server_.Stop(); }

  void SetAnswer(absl::Status answer) {
    absl::MutexLock lock(&mu_);
    answer_ = std::move(answer);
  }

  std::vector<Call> Calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  // Posts `body` and returns the cXML Status of the answer, after checking
  // that it came as HTTP 200 text/xml and is valid against cXML.dtd.
  cxml::Status Post(const std::string& body, const std::string& content_type) {
    auto res = testing::Http("POST", url_, body, content_type);
    EXPECT_TRUE(res.ok()) << res.status();
    if (!res.ok()) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_TRUE(absl::StartsWith(res->content_type, "text/xml")) << res->content_type;
    EXPECT_THAT(res->body, Not(HasSubstr(kSecret)));
    if (const std::string dtd = testing::DtdDir(); !dtd.empty() && testing::HaveXmllint()) {
      const testing::XmllintResult lint = testing::XmllintValidate(res->body, dtd + "/cXML.dtd");
      EXPECT_EQ(lint.exit_code, 0) << lint.output << "\n" << res->body;
    } else {
      ADD_FAILURE() << "no cXML DTD at " << testing::DtdDirTried() << " or no xmllint";
    }
    auto doc = cxml::ReadDocument(res->body);
    EXPECT_TRUE(doc.ok()) << doc.status() << "\n" << res->body;
    if (!doc.ok() || !std::holds_alternative<cxml::Response>(doc->body)) return {};
    return std::get<cxml::Response>(doc->body).status;
  }

  FakeCredentialsClient credentials_;
  std::unique_ptr<InboundEndpoint> endpoint_;
  http::HttpServer server_;  // declared last: stops before the endpoint goes
  std::string url_;
  absl::Mutex mu_;
  absl::Status answer_ ABSL_GUARDED_BY(mu_);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
};

TEST_F(InboundEndpointTest, AVerifiedSenderIsHandedTheDocumentOnce) {
  const cxml::Status st = Post(GoldenConfirmation(), "text/xml; charset=UTF-8");
  EXPECT_EQ(st.code, 200);
  const std::vector<Call> calls = Calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].sender.integration, kIntegration);
  EXPECT_EQ(calls[0].sender.tenant, "acme");
  EXPECT_EQ(calls[0].document.payload_id, "1714590000.77@amazon.com");
  ASSERT_TRUE(std::holds_alternative<cxml::ConfirmationRequest>(calls[0].document.body));
  EXPECT_EQ(calls[0].xml, GoldenConfirmation());
  EXPECT_EQ(credentials_.calls(FakeCredentialsClient::Method::kVerify), 1);
}

TEST_F(InboundEndpointTest, FormEnvelopesAreAcceptedToo) {
  std::string b64;
  absl::Base64Escape(GoldenConfirmation(), &b64);
  EXPECT_EQ(
      Post("cxml-base64=" + cxml::FormUrlEncode(b64), "application/x-www-form-urlencoded").code,
      200);
  EXPECT_EQ(Post("cxml-urlencoded=" + cxml::FormUrlEncode(GoldenConfirmation()),
                 "application/x-www-form-urlencoded")
                .code,
            200);
  // The handler is given the cXML text out of either envelope.
  const std::vector<Call> calls = Calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].xml, GoldenConfirmation());
  EXPECT_EQ(calls[1].xml, GoldenConfirmation());
}

TEST_F(InboundEndpointTest, AWrongSecretIs401AndTheHandlerIsNotCalled) {
  std::string xml = GoldenConfirmation();
  xml.replace(xml.find(kSecret), sizeof(kSecret) - 1, "guessed-secret");
  const cxml::Status st = Post(xml, "text/xml");
  EXPECT_EQ(st.code, 401);
  EXPECT_THAT(st.message, Not(HasSubstr("guessed-secret")));
  EXPECT_TRUE(Calls().empty());
}

TEST_F(InboundEndpointTest, MalformedXmlIs406WithTheReason) {
  const std::string xml = GoldenConfirmation();
  const cxml::Status st = Post(xml.substr(0, xml.size() / 2), "text/xml");
  EXPECT_EQ(st.code, 406);
  EXPECT_EQ(st.text, "Not Acceptable");
  EXPECT_FALSE(st.message.empty());
  EXPECT_TRUE(Calls().empty());
  EXPECT_EQ(credentials_.calls(FakeCredentialsClient::Method::kVerify), 0);
}

TEST_F(InboundEndpointTest, AMissingRequiredPartIs406NamingIt) {
  std::string xml = GoldenConfirmation();
  const size_t at = xml.find("payloadID=\"");
  ASSERT_NE(at, std::string::npos);
  xml.replace(at, 9, "payloadXX");
  const cxml::Status st = Post(xml, "text/xml");
  EXPECT_EQ(st.code, 406);
  EXPECT_THAT(st.message, HasSubstr("payloadID"));
  EXPECT_TRUE(Calls().empty());
}

TEST_F(InboundEndpointTest, AFormWithoutCxmlIs400) {
  const cxml::Status st = Post("foo=1&bar=2", "application/x-www-form-urlencoded");
  EXPECT_EQ(st.code, 400);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(InboundEndpointTest, AnotherDocumentTypeIs406) {
  // Still well-formed cXML, but not the type this endpoint takes.
  const cxml::Status st = Post(
      "<?xml version=\"1.0\"?><cXML payloadID=\"p\" timestamp=\"2024-05-01T12:00:00Z\">"
      "<Response><Status code=\"200\" text=\"OK\"/></Response></cXML>",
      "text/xml");
  EXPECT_EQ(st.code, 406);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(InboundEndpointTest, NestingOverTheLimitIs417) {
  std::string deep = "<?xml version=\"1.0\"?><cXML>";
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  deep += "</cXML>";
  EXPECT_EQ(Post(deep, "text/xml").code, 417);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(InboundEndpointTest, TheHandlersChosenCodeIsAnswered) {
  SetAnswer(cxml::WithCxmlCode(absl::FailedPreconditionError("order PO-9 is not ours"), 409));
  const cxml::Status st = Post(GoldenConfirmation(), "text/xml");
  EXPECT_EQ(st.code, 409);
  EXPECT_EQ(st.text, "Conflict");
  EXPECT_EQ(st.message, "order PO-9 is not ours");
}

TEST_F(InboundEndpointTest, AHandlerThatIsUnavailableGivesATransientCode) {
  SetAnswer(absl::UnavailableError("order store busy; retry"));
  const cxml::Status st = Post(GoldenConfirmation(), "text/xml");
  EXPECT_EQ(st.code, 560);
  EXPECT_EQ(cxml::ClassifyStatusCode(st.code), cxml::StatusClass::kTransient);
  EXPECT_EQ(st.message, "order store busy; retry");
  EXPECT_EQ(Calls().size(), 1u);
}

}  // namespace
}  // namespace iob::supplier
