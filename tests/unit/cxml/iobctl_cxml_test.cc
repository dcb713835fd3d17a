// `iobctl cxml decode|validate|example`, through RunCxmlCommand.
#include <iostream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/form.h"
#include "nlohmann/json.hpp"
#include "tests/unit/cxml/test_util.h"
#include "tools/iobctl/cxml_command.h"

namespace iob::iobctl {
namespace {

using ::testing::HasSubstr;

struct CmdResult {
  int code;
  std::string out;
  std::string err;
};

CmdResult Cmd(std::vector<std::string> args) {
  std::ostringstream out, err;
  int code = RunCxmlCommand(args, out, err);
  return {code, out.str(), err.str()};
}

std::string TempFile(const std::string& content) {
  char tmpl[] = "/tmp/iobctl_cxml_XXXXXX";
  int fd = mkstemp(tmpl);
  FILE* f = fdopen(fd, "wb");
  fwrite(content.data(), 1, content.size(), f);
  fclose(f);
  return tmpl;
}

TEST(IobctlCxmlTest, ExampleThenDecodeEveryType) {
  for (const char* type : {"PunchOutSetupRequest", "PunchOutSetupResponse", "PunchOutOrderMessage",
                           "OrderRequest", "Response", "ConfirmationRequest", "ShipNoticeRequest",
                           "InvoiceDetailRequest", "ProfileRequest", "ProfileResponse"}) {
    CmdResult ex = Cmd({"example", type});
    ASSERT_EQ(ex.code, 0) << type << ex.err;
    std::string path = TempFile(ex.out);
    CmdResult dec = Cmd({"decode", path});
    ASSERT_EQ(dec.code, 0) << type << dec.err;
    nlohmann::json j = nlohmann::json::parse(dec.out);
    EXPECT_EQ(j["document_type"], type);
    EXPECT_FALSE(j["payload_id"].get<std::string>().empty());
    // Secrets are masked.
    EXPECT_EQ(dec.out.find("s3cr3t"), std::string::npos) << type;
    EXPECT_EQ(Cmd({"validate", path}).code, 0);
    std::remove(path.c_str());
  }
}

TEST(IobctlCxmlTest, DecodeOrderFields) {
  CmdResult ex = Cmd({"example", "OrderRequest"});
  std::string path = TempFile(ex.out);
  nlohmann::json j = nlohmann::json::parse(Cmd({"decode", path}).out);
  std::remove(path.c_str());
  EXPECT_EQ(j["header"]["sender"][0]["shared_secret"], "********");
  EXPECT_EQ(j["header"]["sender"][0]["identity"], "AN01000000001");
  const auto& o = j["order_request"];
  EXPECT_EQ(o["order_id"], "PO-2024-0001");
  EXPECT_EQ(o["type"], "update");
  EXPECT_EQ(o["payment"]["number"], "************1111");
  EXPECT_EQ(o["items"][0]["item_detail"]["unit_price"]["amount"], "0.50");
  EXPECT_EQ(o["items"][0]["item_id"]["supplier_part_auxiliary_id"], "QID:1|offer=A&amp;B&lt;1&gt;");
  EXPECT_EQ(o["extrinsics"][0]["name"], "UserEmail");
  EXPECT_EQ(o["extrinsics"][0]["value"], "jane.doe@buyer.example");
}

TEST(IobctlCxmlTest, DecodeFormBody) {
  std::string xml = cxml::testing::ReadFileOrDie(cxml::testing::DataDir() +
                                                 "/golden/amazon_punchout_order_message.xml");
  std::string b64;
  absl::Base64Escape(xml, &b64);
  std::string path = TempFile("cXML-base64=" + cxml::FormUrlEncode(b64));
  CmdResult dec = Cmd({"decode", path});
  std::remove(path.c_str());
  ASSERT_EQ(dec.code, 0) << dec.err;
  nlohmann::json j = nlohmann::json::parse(dec.out);
  EXPECT_EQ(j["punch_out_order_message"]["items"][1]["item_id"]["supplier_part_id"], "B08DESK");
}

TEST(IobctlCxmlTest, ValidateRejectsWithReason) {
  std::string path = cxml::testing::DataDir() + "/hostile/billion_laughs.xml";
  CmdResult r = Cmd({"validate", path});
  EXPECT_NE(r.code, 0);
  EXPECT_THAT(r.err, HasSubstr("ENTITY"));
  CmdResult missing = Cmd({"validate", "/nonexistent/file.xml"});
  EXPECT_EQ(missing.code, 2);
}

TEST(IobctlCxmlTest, UsageErrors) {
  EXPECT_EQ(Cmd({}).code, 2);
  EXPECT_EQ(Cmd({"example", "NoSuchType"}).code, 2);
  EXPECT_EQ(Cmd({"frobnicate"}).code, 2);
  CmdResult minimal = Cmd({"example", "orderrequest", "--minimal"});
  EXPECT_EQ(minimal.code, 0);
  EXPECT_THAT(minimal.out, HasSubstr("<OrderRequest>"));
}

}  // namespace
}  // namespace iob::iobctl

namespace iob::iobctl {
namespace {

TEST(IobctlCxmlTest, DecodeFromStdin) {
  std::string xml =
      cxml::testing::ReadFileOrDie(cxml::testing::DataDir() + "/golden/coupa_order_request.xml");
  std::istringstream in("cxml-urlencoded=" + cxml::FormUrlEncode(xml));
  std::streambuf* saved = std::cin.rdbuf(in.rdbuf());
  CmdResult dec = Cmd({"decode", "-"});
  std::cin.rdbuf(saved);
  ASSERT_EQ(dec.code, 0) << dec.err;
  nlohmann::json j = nlohmann::json::parse(dec.out);
  EXPECT_EQ(j["order_request"]["order_id"], "PO-4711");
  EXPECT_EQ(j["order_request"]["total"]["amount"], "1234.50");
  EXPECT_EQ(j["header"]["sender"][0]["shared_secret"], "********");
  EXPECT_EQ(dec.out.find("c0upa-s3cret"), std::string::npos);
}

}  // namespace
}  // namespace iob::iobctl
