// libs/supplier/inbound.h without a network: DecodeInbound over the three
// envelopes and hostile input, and InboundEndpoint::Handle's cXML Status
// codes with a FakeCredentialsClient.
#include "libs/supplier/inbound.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/form.h"
#include "libs/cxml/status.h"
#include "libs/cxml/writer.h"
#include "libs/supplier/fake_credentials_client.h"

namespace iob::supplier {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kForm[] = "application/x-www-form-urlencoded";

// A file under tests/data/cxml; aborts the test binary when it is missing.
std::string CxmlData(const std::string& path) {
  const char* root = std::getenv("IOB_SOURCE_DIR");
  const std::string full = std::string(root ? root : ".") + "/tests/data/cxml/" + path;
  std::ifstream in(full, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", full.c_str());
    std::abort();
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
std::string Golden(const std::string& name) { return CxmlData("golden/" + name); }
std::string Hostile(const std::string& name) { return CxmlData("hostile/" + name); }

std::string Base64Form(const std::string& xml) {
  std::string b64;
  absl::Base64Escape(xml, &b64);
  return "cxml-base64=" + cxml::FormUrlEncode(b64);
}

TEST(DecodeInboundTest, RawUrlencodedAndBase64GiveTheSameDocument) {
  const std::string xml = Golden("amazon_confirmation.xml");
  auto raw = DecodeInbound(xml, "text/xml; charset=UTF-8");
  ASSERT_TRUE(raw.ok()) << raw.status();
  EXPECT_EQ(cxml::TypeOf(*raw), cxml::DocumentType::kConfirmationRequest);
  ASSERT_EQ(raw->header.to.size(), 1u);
  EXPECT_EQ(raw->header.to[0].identity, "AN01000000001");
  ASSERT_EQ(raw->header.sender.size(), 1u);
  EXPECT_EQ(raw->header.sender[0].shared_secret, "amz-s3cret");

  auto as_application_xml = DecodeInbound(xml, "Application/XML");
  ASSERT_TRUE(as_application_xml.ok()) << as_application_xml.status();
  EXPECT_EQ(*as_application_xml, *raw);

  auto urlencoded =
      DecodeInbound("a=1&cxml-urlencoded=" + cxml::FormUrlEncode(xml) + "&b=2", kForm);
  ASSERT_TRUE(urlencoded.ok()) << urlencoded.status();
  EXPECT_EQ(*urlencoded, *raw);

  auto base64 = DecodeInbound(Base64Form(xml), kForm);
  ASSERT_TRUE(base64.ok()) << base64.status();
  EXPECT_EQ(*base64, *raw);

  // Without a Content-Type the body is sniffed: raw XML or a form.
  auto sniffed_raw = DecodeInbound(xml, "");
  ASSERT_TRUE(sniffed_raw.ok()) << sniffed_raw.status();
  EXPECT_EQ(*sniffed_raw, *raw);
  auto sniffed_form = DecodeInbound(Base64Form(xml), "");
  ASSERT_TRUE(sniffed_form.ok()) << sniffed_form.status();
  EXPECT_EQ(*sniffed_form, *raw);
}

TEST(DecodeInboundTest, ExpectedTypeIsEnforced) {
  const std::string xml = Golden("amazon_ship_notice.xml");
  auto ok = DecodeInbound(xml, "text/xml", {}, cxml::DocumentType::kShipNoticeRequest);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(cxml::TypeOf(*ok), cxml::DocumentType::kShipNoticeRequest);

  DecodeStep step = DecodeStep::kEnvelope;
  auto wrong = DecodeInbound(xml, "text/xml", {}, cxml::DocumentType::kInvoiceDetailRequest, &step);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(step, DecodeStep::kDocument);

  auto wrong_in_form =
      DecodeInbound(Base64Form(xml), kForm, {}, cxml::DocumentType::kPunchOutOrderMessage);
  EXPECT_EQ(wrong_in_form.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(DecodeInboundTest, EnvelopeFailuresSayWhichStepFailed) {
  DecodeStep step = DecodeStep::kDocument;
  auto no_field = DecodeInbound("foo=1&bar=2", kForm, {}, std::nullopt, &step);
  EXPECT_EQ(no_field.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(step, DecodeStep::kEnvelope);

  step = DecodeStep::kDocument;
  auto bad_base64 = DecodeInbound("cxml-base64=%%%", kForm, {}, std::nullopt, &step);
  EXPECT_EQ(bad_base64.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(step, DecodeStep::kEnvelope);

  // A form posted as text/xml is read as XML, and is not XML.
  step = DecodeStep::kEnvelope;
  const std::string form = Base64Form(Golden("amazon_confirmation.xml"));
  auto form_as_xml = DecodeInbound(form, "text/xml", {}, std::nullopt, &step);
  EXPECT_EQ(form_as_xml.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(step, DecodeStep::kDocument);
}

TEST(DecodeInboundTest, OversizeIsRefusedInEveryEnvelope) {
  const std::string xml = Golden("amazon_confirmation.xml");
  cxml::Limits small;
  small.max_bytes = 512;
  ASSERT_GT(xml.size(), small.max_bytes);
  for (const auto& [body, type] : std::vector<std::pair<std::string, std::string>>{
           {xml, "text/xml"},
           {"cxml-urlencoded=" + cxml::FormUrlEncode(xml), kForm},
           {Base64Form(xml), kForm}}) {
    auto doc = DecodeInbound(body, type, small);
    EXPECT_EQ(doc.status().code(), absl::StatusCode::kResourceExhausted) << type;
  }
  cxml::Limits shallow;
  shallow.max_depth = 3;
  EXPECT_EQ(DecodeInbound(xml, "text/xml", shallow).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(DecodeInboundTest, DtdsWithEntitiesAreRefusedRawAndInForms) {
  for (const char* name :
       {"billion_laughs.xml", "external_entity.xml", "parameter_entity.xml", "external_dtd.xml"}) {
    const std::string xml = Hostile(name);
    DecodeStep step = DecodeStep::kEnvelope;
    auto raw = DecodeInbound(xml, "text/xml", {}, std::nullopt, &step);
    EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(step, DecodeStep::kDocument) << name;
    EXPECT_THAT(std::string(raw.status().message()), Not(HasSubstr("root:")));
    auto in_form = DecodeInbound(Base64Form(xml), kForm);
    EXPECT_EQ(in_form.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

// ---- InboundEndpoint::Handle ---------------------------------------------

class HandleTest : public ::testing::Test {
 protected:
  HandleTest() {
    credentials_.AddSender({"NetworkId", "AN01000000001", ""}, "amz-s3cret",
                           {"tenants/acme/integrations/amazon", "acme", "amazon-business"});
  }

  InboundEndpoint Endpoint(absl::Status answer) {
    return InboundEndpoint(
        {"/cxml/test", std::nullopt, {}, "iob.test", {}}, &credentials_,
        [this, answer](const VerifiedSender& sender, const cxml::Document&, std::string_view) {
          senders_.push_back(sender);
          return answer;
        });
  }

  FakeCredentialsClient credentials_;
  std::vector<VerifiedSender> senders_;
};

TEST_F(HandleTest, AVerifiedRequestReachesTheHandler) {
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  const cxml::Response r = endpoint.Handle(Golden("amazon_confirmation.xml"), "text/xml");
  EXPECT_EQ(r.status.code, 200);
  ASSERT_EQ(senders_.size(), 1u);
  EXPECT_EQ(senders_[0].integration, "tenants/acme/integrations/amazon");
  EXPECT_EQ(senders_[0].tenant, "acme");
}

TEST_F(HandleTest, TheBuyerMayBeAnyOfTheFirstToCredentials) {
  std::string xml = Golden("amazon_confirmation.xml");
  const std::string to =
      R"(<To><Credential domain="NetworkId"><Identity>AN01000000001</Identity></Credential></To>)";
  const std::string two_tos =
      R"(<To><Credential domain="DUNS"><Identity>123456789</Identity></Credential>)"
      R"(<Credential domain="NetworkId"><Identity>AN01000000001</Identity></Credential></To>)";
  ASSERT_NE(xml.find(to), std::string::npos);
  xml.replace(xml.find(to), to.size(), two_tos);
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  EXPECT_EQ(endpoint.Handle(xml, "text/xml").status.code, 200);
  EXPECT_EQ(senders_.size(), 1u);
  EXPECT_EQ(credentials_.calls(FakeCredentialsClient::Method::kVerify), 2);
}

TEST_F(HandleTest, WrongOrMissingSecretIs401AndNeverCallsTheHandler) {
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  std::string wrong = Golden("amazon_confirmation.xml");
  wrong.replace(wrong.find("amz-s3cret"), 10, "not-secret");
  const cxml::Response r = endpoint.Handle(wrong, "text/xml");
  EXPECT_EQ(r.status.code, 401);
  EXPECT_THAT(r.status.message, Not(HasSubstr("not-secret")));

  std::string none = Golden("amazon_confirmation.xml");
  none.replace(none.find("<SharedSecret>amz-s3cret</SharedSecret>"), 39, "");
  EXPECT_EQ(endpoint.Handle(none, "text/xml").status.code, 401);
  EXPECT_TRUE(senders_.empty());
}

TEST_F(HandleTest, OnlyRequestsAreAccepted) {
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  EXPECT_EQ(endpoint.Handle(Golden("amazon_punchout_order_message.xml"), "text/xml").status.code,
            400);
  EXPECT_EQ(endpoint.Handle(Golden("punchout_setup_response.xml"), "text/xml").status.code, 400);
  EXPECT_TRUE(senders_.empty());
  EXPECT_EQ(credentials_.calls(FakeCredentialsClient::Method::kVerify), 0);
}

TEST_F(HandleTest, DecodeFailuresHaveTheirCodes) {
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  // The reader refused the document: 406 with its reason.
  const cxml::Response malformed = endpoint.Handle("<cXML", "text/xml");
  EXPECT_EQ(malformed.status.code, 406);
  EXPECT_EQ(malformed.status.text, "Not Acceptable");
  EXPECT_FALSE(malformed.status.message.empty());
  EXPECT_EQ(endpoint.Handle(Hostile("billion_laughs.xml"), "text/xml").status.code, 406);
  EXPECT_EQ(endpoint.Handle(Base64Form("<cXML"), kForm).status.code, 406);
  // No cXML could be taken out of the body: 400.
  EXPECT_EQ(endpoint.Handle("foo=1&bar=2", kForm).status.code, 400);
  EXPECT_EQ(endpoint.Handle("cxml-base64=%%%", kForm).status.code, 400);
  // Limits and unknown types keep their codes.
  EXPECT_EQ(endpoint.Handle(std::string(5u << 20, ' '), "text/xml").status.code, 417);
  auto profile = cxml::WriteDocument(cxml::ExampleDocument(cxml::DocumentType::kProfileRequest));
  ASSERT_TRUE(profile.ok()) << profile.status();
  std::string unknown = *profile;
  ASSERT_NE(unknown.find("<ProfileRequest/>"), std::string::npos);
  unknown.replace(unknown.find("<ProfileRequest/>"), 17, "<StatusUpdateRequest/>");
  EXPECT_EQ(endpoint.Handle(unknown, "text/xml").status.code, 450);
  EXPECT_TRUE(senders_.empty());
}

TEST_F(HandleTest, CredentialsServiceDownIsTransient) {
  InboundEndpoint endpoint = Endpoint(absl::OkStatus());
  credentials_.FailNext(FakeCredentialsClient::Method::kVerify,
                        absl::UnavailableError("connect failed to 10.0.0.7"));
  const cxml::Response r = endpoint.Handle(Golden("amazon_confirmation.xml"), "text/xml");
  EXPECT_EQ(r.status.code, 560);
  EXPECT_THAT(r.status.message, Not(HasSubstr("10.0.0.7")));
  EXPECT_TRUE(senders_.empty());
}

TEST_F(HandleTest, HandlerStatusesBecomeCxmlCodes) {
  const std::string xml = Golden("amazon_confirmation.xml");
  EXPECT_EQ(Endpoint(absl::UnavailableError("busy")).Handle(xml, "text/xml").status.code, 560);
  EXPECT_EQ(Endpoint(absl::FailedPreconditionError("unknown order PO-1"))
                .Handle(xml, "text/xml")
                .status.code,
            412);
  const cxml::Response dup =
      Endpoint(absl::AlreadyExistsError("payloadID already processed")).Handle(xml, "text/xml");
  EXPECT_EQ(dup.status.code, 409);
  EXPECT_EQ(dup.status.message, "payloadID already processed");
  const cxml::Response internal =
      Endpoint(absl::InternalError("pq: relation dispatch.x does not exist"))
          .Handle(xml, "text/xml");
  EXPECT_EQ(internal.status.code, 500);
  EXPECT_THAT(internal.status.message, Not(HasSubstr("relation")));

  // A code the handler chose wins over the mapped one.
  const cxml::Response chosen =
      Endpoint(cxml::WithCxmlCode(absl::FailedPreconditionError("order PO-9 is not ours"), 409))
          .Handle(xml, "text/xml");
  EXPECT_EQ(chosen.status.code, 409);
  EXPECT_EQ(chosen.status.text, "Conflict");
  EXPECT_EQ(chosen.status.message, "order PO-9 is not ours");
  const cxml::Response chosen500 =
      Endpoint(cxml::WithCxmlCode(absl::FailedPreconditionError("pq: relation x"), 500))
          .Handle(xml, "text/xml");
  EXPECT_EQ(chosen500.status.code, 500);
  EXPECT_THAT(chosen500.status.message, Not(HasSubstr("relation")));
}

}  // namespace
}  // namespace iob::supplier
