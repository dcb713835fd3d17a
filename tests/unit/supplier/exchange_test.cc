// supplier::ExchangeDocument: how each answer a supplier (or the HTTP client
// in front of it) can give is classified, and what is sent.
#include "libs/supplier/exchange.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/reader.h"
#include "libs/cxml/writer.h"
#include "libs/http/fake_client.h"

namespace iob::supplier {
namespace {

using ::testing::HasSubstr;

// A cXML Response document with `code`, `text` and `message`, as written.
std::string ResponseXml(int code, const std::string& text, const std::string& message = "") {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kResponse);
  cxml::Response response;
  response.status = {code, text, message, ""};
  doc.body = response;
  auto xml = cxml::WriteDocument(doc);
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : "";
}

std::string OrderRequestXml() {
  auto xml = cxml::WriteDocument(cxml::ExampleDocument(cxml::DocumentType::kOrderRequest));
  EXPECT_TRUE(xml.ok()) << xml.status();
  return xml.ok() ? *xml : "";
}

http::HttpResponse Answer(int status, std::string body) {
  return {status, std::move(body), "text/xml", {}};
}

ExchangeTarget Target() {
  return {"https://supplier.example/cxml/order", {"supplier.example"}, "order"};
}

struct Case {
  std::string name;
  absl::StatusOr<http::HttpResponse> answer;
  Outcome outcome;
  absl::StatusCode code;
  std::string message;  // part of the error message ("" when OK)
};

std::vector<Case> Cases() {
  using absl::StatusCode;
  return {
      {"cxml200", Answer(200, ResponseXml(200, "OK")), Outcome::kDelivered, StatusCode::kOk, ""},
      {"cxml201", Answer(200, ResponseXml(201, "Accepted")), Outcome::kDelivered, StatusCode::kOk,
       ""},
      {"cxml401InHttp200", Answer(200, ResponseXml(401, "Unauthorized", "bad secret")),
       Outcome::kRejected, StatusCode::kFailedPrecondition,
       "supplier rejected our credentials (cXML 401 Unauthorized: bad secret)"},
      {"cxml401InHttp401", Answer(401, ResponseXml(401, "Unauthorized")), Outcome::kRejected,
       StatusCode::kFailedPrecondition, "supplier rejected our credentials (cXML 401"},
      {"cxml403", Answer(200, ResponseXml(403, "Forbidden")), Outcome::kRejected,
       StatusCode::kFailedPrecondition, "supplier rejected our credentials (cXML 403"},
      {"cxml400", Answer(200, ResponseXml(400, "Bad Request")), Outcome::kRejected,
       StatusCode::kFailedPrecondition, "supplier rejected the order request (cXML 400"},
      {"cxml500", Answer(200, ResponseXml(500, "Internal Server Error")), Outcome::kSupplierError,
       StatusCode::kUnavailable, "supplier error, try again (cXML 500"},
      {"cxml560InHttp503", Answer(503, ResponseXml(560, "Temporary server error")),
       Outcome::kSupplierError, StatusCode::kUnavailable, "cXML 560"},
      {"http401", Answer(401, "Unauthorized"), Outcome::kRejected, StatusCode::kFailedPrecondition,
       "supplier answered HTTP 401"},
      {"http404Html", Answer(404, "<html><body>no</body></html>"), Outcome::kRejected,
       StatusCode::kFailedPrecondition, "supplier answered HTTP 404"},
      {"http500", Answer(500, ""), Outcome::kSupplierError, StatusCode::kUnavailable,
       "supplier answered HTTP 500"},
      {"http503", Answer(503, "busy"), Outcome::kSupplierError, StatusCode::kUnavailable,
       "supplier answered HTTP 503"},
      // "Not now" answers without cXML are transient, not rejections.
      {"http408", Answer(408, ""), Outcome::kSupplierError, StatusCode::kUnavailable,
       "supplier answered HTTP 408"},
      {"http425", Answer(425, "too early"), Outcome::kSupplierError, StatusCode::kUnavailable,
       "supplier answered HTTP 425"},
      {"http429", Answer(429, "<html>slow down</html>"), Outcome::kSupplierError,
       StatusCode::kUnavailable, "supplier answered HTTP 429"},
      {"http400", Answer(400, "bad"), Outcome::kRejected, StatusCode::kFailedPrecondition,
       "supplier answered HTTP 400"},
      // A cXML Status keeps its table classification whatever the HTTP status.
      {"cxml400InHttp429", Answer(429, ResponseXml(400, "Bad Request")), Outcome::kRejected,
       StatusCode::kFailedPrecondition, "cXML 400"},
      {"cxml200InHttp429", Answer(429, ResponseXml(200, "OK")), Outcome::kDelivered,
       StatusCode::kOk, ""},
      {"notXml", Answer(200, "this is not xml"), Outcome::kBadAnswer, StatusCode::kUnavailable,
       "supplier sent an invalid response: "},
      {"notAResponse", Answer(200, OrderRequestXml()), Outcome::kBadAnswer,
       StatusCode::kUnavailable, "expected a cXML Response, got OrderRequest"},
      {"timeout", absl::DeadlineExceededError("request to host 'supplier.example' timed out"),
       Outcome::kUnreachable, StatusCode::kUnavailable, "supplier did not answer in time"},
      {"reset", absl::UnavailableError("request to host 'supplier.example' failed: reset"),
       Outcome::kUnreachable, StatusCode::kUnavailable,
       "cannot reach supplier: request to host 'supplier.example' failed: reset"},
      {"tooLarge", absl::ResourceExhaustedError("response larger than 1 bytes"),
       Outcome::kUnreachable, StatusCode::kUnavailable, "cannot reach supplier: response larger"},
      {"egressRefused", absl::PermissionDeniedError("egress policy: host 'x' not allowed"),
       Outcome::kRefusedByPolicy, StatusCode::kFailedPrecondition,
       "supplier order URL refused: egress policy: host 'x' not allowed"},
      {"badUrl", absl::InvalidArgumentError("malformed URL"), Outcome::kRefusedByPolicy,
       StatusCode::kFailedPrecondition, "supplier order URL refused: malformed URL"},
  };
}

class ExchangeClassificationTest : public ::testing::TestWithParam<Case> {};

TEST_P(ExchangeClassificationTest, ClassifiesTheAnswer) {
  const Case& c = GetParam();
  http::FakeHttpClient http;
  http.Push(c.answer);
  const ExchangeResult r =
      ExchangeDocument(http, cxml::ExampleDocument(cxml::DocumentType::kOrderRequest), Target());
  EXPECT_EQ(r.outcome, c.outcome) << OutcomeLabel(r.outcome);
  EXPECT_EQ(r.response.status().code(), c.code) << r.response.status();
  if (!c.message.empty()) {
    EXPECT_THAT(std::string(r.response.status().message()), HasSubstr(c.message));
  }
  EXPECT_EQ(http.requests().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Answers, ExchangeClassificationTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

TEST(ExchangeTest, PostsTheWrittenDocumentUnderTheTargetsPolicy) {
  http::FakeHttpClient http;
  http.Push(Answer(200, ResponseXml(200, "OK")));
  const cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  const ExchangeResult r = ExchangeDocument(http, doc, Target());
  ASSERT_TRUE(r.response.ok()) << r.response.status();
  EXPECT_EQ(r.response->status.code, 200);

  const std::vector<http::HttpRequest> sent = http.requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].url, "https://supplier.example/cxml/order");
  EXPECT_EQ(sent[0].allowed_hosts, std::vector<std::string>{"supplier.example"});
  EXPECT_EQ(sent[0].content_type, "text/xml; charset=UTF-8");
  auto read = cxml::ReadDocument(sent[0].body);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, doc);
}

TEST(ExchangeTest, ReturnsTheSuppliersResponse) {
  cxml::Document answer = cxml::ExampleDocument(cxml::DocumentType::kPunchOutSetupResponse);
  auto xml = cxml::WriteDocument(answer);
  ASSERT_TRUE(xml.ok()) << xml.status();
  http::FakeHttpClient http;
  http.Push(Answer(200, *xml));
  const ExchangeResult r = ExchangeDocument(
      http, cxml::ExampleDocument(cxml::DocumentType::kPunchOutSetupRequest), Target());
  ASSERT_EQ(r.outcome, Outcome::kDelivered);
  ASSERT_TRUE(r.response.ok()) << r.response.status();
  EXPECT_EQ(*r.response, std::get<cxml::Response>(answer.body));
}

TEST(ExchangeTest, QuotesAtMost200CharactersOfTheSuppliersMessage) {
  http::FakeHttpClient http;
  http.Push(Answer(200, ResponseXml(400, "Bad Request", std::string(500, 'x'))));
  const ExchangeResult r =
      ExchangeDocument(http, cxml::ExampleDocument(cxml::DocumentType::kOrderRequest), Target());
  const std::string message(r.response.status().message());
  EXPECT_THAT(message, HasSubstr(std::string(200, 'x') + "..."));
  EXPECT_THAT(message, ::testing::Not(HasSubstr(std::string(201, 'x'))));
}

TEST(ExchangeTest, AnUnwritableDocumentIsNotSent) {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  doc.payload_id.clear();
  http::FakeHttpClient http;
  const ExchangeResult r = ExchangeDocument(http, doc, Target());
  EXPECT_EQ(r.outcome, Outcome::kNotSent);
  EXPECT_EQ(r.response.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(r.response.status().message()), HasSubstr("cannot write OrderRequest"));
  EXPECT_TRUE(http.requests().empty());
}

cxml::Document WithSecret(const std::string& secret);

// What an attempt records, per kind of answer.
struct Seen {
  std::string name;
  absl::StatusOr<http::HttpResponse> answer;
  int http_status;
  int cxml_code;
  std::string status_text;
};

class ExchangeDetailsTest : public ::testing::TestWithParam<Seen> {};

TEST_P(ExchangeDetailsTest, RecordsHttpStatusCxmlCodeAndText) {
  const Seen& c = GetParam();
  http::FakeHttpClient http;
  http.Push(c.answer);
  const ExchangeResult r =
      ExchangeDocument(http, cxml::ExampleDocument(cxml::DocumentType::kOrderRequest), Target());
  EXPECT_EQ(r.http_status, c.http_status);
  EXPECT_EQ(r.cxml_code, c.cxml_code);
  EXPECT_EQ(r.status_text, c.status_text);
  EXPECT_GE(r.latency, absl::ZeroDuration());
}

INSTANTIATE_TEST_SUITE_P(
    Answers, ExchangeDetailsTest,
    ::testing::Values(
        Seen{"cxml200", Answer(200, ResponseXml(200, "OK")), 200, 200, "OK"},
        Seen{"cxml401", Answer(401, ResponseXml(401, "Unauthorized", "bad secret")), 401, 401,
             "Unauthorized: bad secret"},
        Seen{"cxml560", Answer(503, ResponseXml(560, "Temporary server error")), 503, 560,
             "Temporary server error"},
        Seen{"http429", Answer(429, "slow down"), 429, 0, "supplier answered HTTP 429"},
        Seen{"notXml", Answer(200, "this is not xml"), 200, 0,
             "supplier sent an invalid response: not well-formed XML: No document element found "
             "at byte offset 15"},
        Seen{"timeout", absl::DeadlineExceededError("timed out"), 0, 0,
             "supplier did not answer in time"},
        Seen{"reset", absl::UnavailableError("request to host 'h' failed: reset"), 0, 0,
             "cannot reach supplier: request to host 'h' failed: reset"},
        Seen{"egress", absl::PermissionDeniedError("egress policy: no"), 0, 0,
             "supplier order URL refused: egress policy: no"}),
    [](const ::testing::TestParamInfo<Seen>& info) { return info.param.name; });

TEST(ExchangeTest, TheStatusTextIsBoundedAndRedacted) {
  const std::string secret = "s3cret-value";
  http::FakeHttpClient http;
  http.Push(Answer(200, ResponseXml(401, "Unauthorized " + secret, std::string(500, 'm'))));
  const ExchangeResult r = ExchangeDocument(http, WithSecret(secret), Target());
  EXPECT_EQ(r.cxml_code, 401);
  EXPECT_EQ(r.status_text, "Unauthorized [redacted]: " + std::string(200, 'm') + "...");
}

TEST(ExchangeTest, TheAnswerIsKeptAsReceivedWithTheSecretMasked) {
  const std::string secret = "s3cret-value";
  http::FakeHttpClient http;
  const std::string body = ResponseXml(401, "Unauthorized " + secret, "line 1\nline 2");
  http.Push(Answer(200, body));
  ExchangeResult r = ExchangeDocument(http, WithSecret(secret), Target());
  EXPECT_EQ(r.answer.find(secret), std::string::npos);
  // What was sent is kept too, its SharedSecret masked.
  EXPECT_EQ(r.sent.find(secret), std::string::npos);
  EXPECT_NE(r.sent.find("<SharedSecret>[redacted]</SharedSecret>"), std::string::npos);
  EXPECT_NE(r.answer.find("Unauthorized [redacted]"), std::string::npos);
  EXPECT_NE(r.answer.find("line 1\nline 2"), std::string::npos);  // bytes as received

  // A huge answer is cut, and a secret across the cut is masked first.
  http.Push(Answer(500, std::string(kMaxRecordedAnswer - 3, 'x') + secret));
  r = ExchangeDocument(http, WithSecret(secret), Target());
  EXPECT_EQ(r.answer.size(), kMaxRecordedAnswer);
  EXPECT_EQ(r.answer.substr(r.answer.size() - 3), "[re");

  // Nothing came: nothing recorded.
  http.Push(absl::UnavailableError("connection reset"));
  EXPECT_TRUE(ExchangeDocument(http, WithSecret(secret), Target()).answer.empty());
}

TEST(ExchangeTest, NothingSentRecordsNoHttpStatus) {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  doc.payload_id.clear();
  http::FakeHttpClient http;
  const ExchangeResult r = ExchangeDocument(http, doc, Target());
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(r.cxml_code, 0);
  EXPECT_EQ(r.latency, absl::ZeroDuration());
  EXPECT_THAT(r.status_text, HasSubstr("cannot write OrderRequest"));
}

// An HttpClient whose answers take `delay` (a slow supplier).
class SlowHttpClient : public http::HttpClient {
 public:
  SlowHttpClient(http::HttpClient* inner, absl::Duration delay) : inner_(inner), delay_(delay) {}
  absl::StatusOr<http::HttpResponse> Send(const http::HttpRequest& request) override {
    absl::SleepFor(delay_);
    return inner_->Send(request);
  }

 private:
  http::HttpClient* const inner_;
  const absl::Duration delay_;
};

TEST(ExchangeTest, LatencyIsTheTimeOfTheSend) {
  http::FakeHttpClient fake;
  fake.Push(Answer(200, ResponseXml(200, "OK")));
  fake.Push(absl::UnavailableError("reset"));
  SlowHttpClient slow(&fake, absl::Milliseconds(30));
  const cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  EXPECT_GE(ExchangeDocument(slow, doc, Target()).latency, absl::Milliseconds(30));
  EXPECT_GE(ExchangeDocument(slow, doc, Target()).latency, absl::Milliseconds(30));
}

TEST(ExchangeTest, FreshConnectionIsPassedToTheRequest) {
  http::FakeHttpClient http;
  http.Push(Answer(200, ResponseXml(200, "OK")));
  http.Push(Answer(200, ResponseXml(200, "OK")));
  const cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  ExchangeTarget target = Target();
  ExchangeDocument(http, doc, target);
  target.fresh_connection = true;
  ExchangeDocument(http, doc, target);
  const std::vector<http::HttpRequest> sent = http.requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FALSE(sent[0].fresh_connection);
  EXPECT_TRUE(sent[1].fresh_connection);
}

TEST(ExchangeTest, OutcomeLabelsAreTheMetricValues) {
  EXPECT_EQ(OutcomeLabel(Outcome::kDelivered), "ok");
  EXPECT_EQ(OutcomeLabel(Outcome::kRejected), "rejected");
  EXPECT_EQ(OutcomeLabel(Outcome::kSupplierError), "supplier_error");
  EXPECT_EQ(OutcomeLabel(Outcome::kUnreachable), "unavailable");
  EXPECT_EQ(OutcomeLabel(Outcome::kRefusedByPolicy), "egress_denied");
  EXPECT_EQ(OutcomeLabel(Outcome::kBadAnswer), "invalid_response");
  EXPECT_EQ(OutcomeLabel(Outcome::kNotSent), "not_sent");
}

// ---- issue 8 --------------------------------------------------------------

// An OrderRequest authenticated with `secret`.
cxml::Document WithSecret(const std::string& secret) {
  cxml::Document doc = cxml::ExampleDocument(cxml::DocumentType::kOrderRequest);
  doc.header.sender.at(0).shared_secret = secret;
  return doc;
}

TEST(ExchangeTest, Finding12_SupplierTextIsBoundedAndOurSecretScrubbed) {
  const std::string secret = "s3cret-value";
  const std::string huge(100000, 'y');
  const std::vector<absl::StatusOr<http::HttpResponse>> answers = {
      // The supplier echoes the secret in its Status text and message.
      Answer(200, ResponseXml(401, "Unauthorized " + secret + huge, "you sent " + secret + huge)),
      Answer(200, ResponseXml(500, secret + huge, "")),
      // The HTTP client quotes whatever it was given.
      absl::UnavailableError("connection failed after reading " + secret + huge),
      // A reader error on a body that echoes the secret.
      Answer(200, "<cXML><Response><Status code=\"200\" text=\"" + secret + "\"/>" + huge),
  };
  for (size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(i);
    http::FakeHttpClient http;
    http.Push(answers[i]);
    const ExchangeResult r = ExchangeDocument(http, WithSecret(secret), Target());
    ASSERT_FALSE(r.response.ok());
    const std::string message(r.response.status().message());
    EXPECT_THAT(message, ::testing::Not(HasSubstr(secret)));
    EXPECT_LT(message.size(), 600u);
    if (i < 3) {
      EXPECT_THAT(message, HasSubstr("[redacted]"));
    }
  }
}

TEST(BoundSupplierTextTest, Finding12_BoundsScrubsAndCutsOnACharacterBoundary) {
  EXPECT_EQ(BoundSupplierText("short"), "short");
  EXPECT_EQ(BoundSupplierText("a\nb\x01"
                              "c"),
            "a b c");
  EXPECT_EQ(BoundSupplierText("key=K3Y, again K3Y", "K3Y"), "key=[redacted], again [redacted]");
  EXPECT_EQ(BoundSupplierText("abcdef", "", 3), "abc...");
  // "é" is two bytes: cutting at byte 2 would split it.
  EXPECT_EQ(BoundSupplierText("a\xC3\xA9z", "", 2), "a...");
  // The secret is scrubbed before the cut, so no prefix of it survives.
  EXPECT_EQ(BoundSupplierText("xxSECRET", "SECRET", 4), "xx[r...");
}

}  // namespace
}  // namespace iob::supplier
