// Hostile documents: each rejected with its reason, without network (speed is
// measured in bench/, not asserted here).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/cxml/reader.h"
#include "tests/unit/cxml/test_util.h"

namespace iob::cxml {
namespace {

using ::testing::HasSubstr;

struct HostileCase {
  const char* file;
  absl::StatusCode code;
  const char* reason;
};

const HostileCase kCases[] = {
    {"billion_laughs.xml", absl::StatusCode::kInvalidArgument, "ENTITY"},
    {"external_entity.xml", absl::StatusCode::kInvalidArgument, "ENTITY"},
    {"parameter_entity.xml", absl::StatusCode::kInvalidArgument, "ENTITY"},
    {"external_dtd.xml", absl::StatusCode::kInvalidArgument, "external DTD"},
    {"external_dtd_public.xml", absl::StatusCode::kInvalidArgument, "PUBLIC"},
    {"duplicate_payload_id.xml", absl::StatusCode::kInvalidArgument,
     "duplicate attribute payloadID on element cXML"},
    {"invalid_utf8.xml", absl::StatusCode::kInvalidArgument, "invalid UTF-8"},
    {"truncated.xml", absl::StatusCode::kInvalidArgument, "not well-formed XML"},
    {"truncated_mid_tag.xml", absl::StatusCode::kInvalidArgument, "not well-formed XML"},
    {"wrong_root.xml", absl::StatusCode::kInvalidArgument, "not <cXML>"},
};

TEST(HostileTest, StoredCorpusRejectedWithReason) {
  for (const HostileCase& c : kCases) {
    std::string bytes = testing::ReadFileOrDie(testing::DataDir() + "/hostile/" + c.file);
    absl::StatusOr<Document> doc = ReadDocument(bytes);
    ASSERT_FALSE(doc.ok()) << c.file;
    EXPECT_EQ(doc.status().code(), c.code) << c.file << ": " << doc.status();
    EXPECT_THAT(std::string(doc.status().message()), HasSubstr(c.reason)) << c.file;
  }
}

TEST(HostileTest, DeepNestingRejected) {
  std::string doc = "<cXML payloadID=\"x\" timestamp=\"2024-05-01T09:30:00Z\">";
  for (int i = 0; i < 10000; ++i) doc += "<a>";
  for (int i = 0; i < 10000; ++i) doc += "</a>";
  doc += "</cXML>";
  absl::StatusOr<Document> r = ReadDocument(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("nested deeper than the limit of 64"));
}

TEST(HostileTest, DepthLimitIsConfigurable) {
  std::string doc =
      "<cXML payloadID=\"x\" timestamp=\"2024-05-01T09:30:00Z\"><a><b><c/></b></a></cXML>";
  Limits tight;
  tight.max_depth = 3;
  EXPECT_EQ(ReadDocument(doc, tight).status().code(), absl::StatusCode::kResourceExhausted);
  tight.max_depth = 4;
  // Depth passes; then it fails as a document (no Header), not on depth.
  EXPECT_EQ(ReadDocument(doc, tight).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HostileTest, HugeAttributeRejectedBeforeParsing) {
  std::string doc = "<cXML payloadID=\"" + std::string(10 << 20, 'A') +
                    "\" timestamp=\"2024-05-01T09:30:00Z\"><Response><Status code=\"200\" "
                    "text=\"OK\"/></Response></cXML>";
  absl::StatusOr<Document> r = ReadDocument(doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("exceeds the limit of 4194304"));
}

TEST(HostileTest, EmptyAndUtf16Rejected) {
  EXPECT_THAT(std::string(ReadDocument("").status().message()), HasSubstr("empty"));
  EXPECT_THAT(std::string(ReadDocument("\xFF\xFE<\0c\0", {}).status().message()),
              HasSubstr("UTF-16"));
}

TEST(HostileTest, CanonicalDoctypeTolerated) {
  std::string ok =
      "<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd\">"
      "<cXML payloadID=\"x\" timestamp=\"2024-05-01T09:30:00Z\"><Response><Status code=\"200\" "
      "text=\"OK\"/></Response></cXML>";
  EXPECT_TRUE(ReadDocument(ok).ok()) << ReadDocument(ok).status();
}

}  // namespace
}  // namespace iob::cxml

namespace iob::cxml {
namespace {

// A listener on 127.0.0.1 that every external reference points at: after
// reading the documents, nobody may have connected.
TEST(HostileTest, NoNetworkAccessAttempted) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x.dtd";
  const std::string body =
      "<cXML payloadID=\"x\" timestamp=\"2024-05-01T09:30:00Z\"><Response><Status code=\"200\" "
      "text=\"&e;\"/></Response></cXML>";
  const std::string docs[] = {
      "<!DOCTYPE cXML SYSTEM \"" + url + "\">" + body,
      "<!DOCTYPE cXML PUBLIC \"-//x//EN\" \"" + url + "\">" + body,
      "<!DOCTYPE cXML [<!ENTITY e SYSTEM \"" + url + "\">]>" + body,
      "<!DOCTYPE cXML [<!ENTITY % p SYSTEM \"" + url + "\"> %p;]>" + body,
      "<?xml-stylesheet href=\"" + url + "\"?>" + body,
      "<cXML xmlns:xi=\"http://www.w3.org/2001/XInclude\" payloadID=\"x\" "
      "timestamp=\"2024-05-01T09:30:00Z\"><xi:include href=\"" +
          url + "\"/></cXML>",
  };
  for (const std::string& d : docs) (void)ReadDocument(d);
  int conn = accept(fd, nullptr, nullptr);
  EXPECT_LT(conn, 0) << "the reader connected to " << url;
  EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK);
  if (conn >= 0) close(conn);
  close(fd);
}

}  // namespace
}  // namespace iob::cxml
