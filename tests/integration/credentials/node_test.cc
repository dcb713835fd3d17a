// Runs tests/node/credentials.test.mjs (@grpc/grpc-js, a third-party gRPC
// client) against the real iob-credentials binary. Skips when the npm
// packages are not installed (./iob setup runs npm ci in tests/node).
#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/credentials/credentials_test_util.h"

namespace iob::credentials::testing {
namespace {

using ::iob::testing::RunCommand;
using ::iob::testing::TestEnv;

std::string FindNode() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

TEST(CredentialsNodeTest, GrpcJsClientCallsTheServiceAndHealth) {
  const std::string node_dir = TestEnv("IOB_SOURCE_DIR", ".") + "/tests/node";
  if (!std::filesystem::exists(node_dir + "/node_modules/@grpc/grpc-js") ||
      !std::filesystem::exists(node_dir + "/node_modules/grpc-health-check")) {
    GTEST_SKIP() << node_dir << "/node_modules missing: run ./iob setup (npm ci in tests/node)";
  }
  const std::string node = FindNode();
  if (node.empty()) GTEST_SKIP() << "node is not installed";
  auto h = NewCredentialsStack();
  if (h == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";
  ASSERT_TRUE(h->Start(kCredentials).ok()) << h->process(kCredentials).ReadLog();

  auto r = RunCommand(node, {"--test", "--test-reporter=spec", node_dir + "/credentials.test.mjs"},
                      {{"IOB_TEST_CREDENTIALS_ADDR", h->process(kCredentials).grpc_address()},
                       {"IOB_TEST_TOKEN", h->Token("acme-admin")},
                       {"NO_COLOR", "1"}},
                      absl::Seconds(180));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->output;
  std::printf("%s\n", r->output.c_str());

  // What the node client created is there for a C++ client too.
  auto stub = h->Credentials();
  pb::ListIntegrationsRequest req;
  req.set_parent("tenants/acme");
  pb::ListIntegrationsResponse resp;
  ASSERT_TRUE(stub->ListIntegrations(h->Ctx("acme-reader").get(), req, &resp).ok());
  ASSERT_EQ(resp.integrations_size(), 1);
  EXPECT_THAT(resp.integrations(0).name(),
              ::testing::StartsWith("tenants/acme/integrations/node-"));
}

}  // namespace
}  // namespace iob::credentials::testing
