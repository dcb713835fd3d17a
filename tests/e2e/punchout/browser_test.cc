// Drives a real browser through a punchout: the C++ side starts the stack
// (Postgres, iob-credentials, iob-supplier-sim, iob-punchout), creates the
// integration and the session over gRPC, runs browser.test.mjs (Chromium via
// playwright-core) on the StartPage, then reads the cart back over gRPC and
// compares it with the simulator's catalog byte for byte.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/integration/punchout/punchout_test_util.h"
#include "tools/supplier-sim/catalog.h"

namespace iob::punchout::testing {
namespace {

using ::iob::testing::RunCommand;
using ::iob::testing::TestEnv;

constexpr char kChromium[] = "/usr/bin/chromium";

std::string FindNode() {
  for (const char* p : {"/usr/bin/node", "/usr/local/bin/node"}) {
    if (std::filesystem::exists(p)) return p;
  }
  return "";
}

std::string ArtifactDir() {
  std::string dir = TestEnv("IOB_ARTIFACT_DIR", "");
  if (dir.empty()) dir = TestEnv("IOB_ARTIFACT_DIR_DEFAULT", "");
  if (dir.empty()) dir = TestEnv("IOB_BINARY_DIR", ".") + "/tests/artifacts";
  return dir;
}

TEST(PunchoutBrowserTest, ShopInChromiumAndReturnTheCartToIob) {
  const std::string source = TestEnv("IOB_SOURCE_DIR", ".");
  const std::string node_dir = source + "/tests/node";
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " missing: apt-get install chromium";
  }
  if (!std::filesystem::exists(node_dir + "/node_modules/playwright-core")) {
    GTEST_SKIP() << node_dir << "/node_modules/playwright-core missing: run ./iob setup "
                 << "(npm ci in tests/node)";
  }
  const std::string node = FindNode();
  if (node.empty()) GTEST_SKIP() << "node is not installed";
  std::string error;
  auto stack = StartPunchoutStack({}, &error);
  ASSERT_TRUE(error.empty()) << error;
  if (stack == nullptr) GTEST_SKIP() << "IOB_TEST_PG_URL unset: run via ./iob test";

  auto group = stack->CreateSimGroup();
  ASSERT_TRUE(group.ok()) << group.status();
  auto integration = CreateIntegration(*stack, "acme", "browser", *group);
  ASSERT_TRUE(integration.ok()) << integration.status();
  pb::Session session;
  grpc::Status st =
      StartCreate(*stack, "acme", integration->name(), "bea.browser@acme.example", &session);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(session.state(), pb::SESSION_STATE_STARTED);

  const std::string artifacts = ArtifactDir();
  std::filesystem::create_directories(artifacts);
  const std::string screenshot = artifacts + "/punchout-cart.png";
  std::filesystem::remove(screenshot);
  auto run = RunCommand(
      node, {"--test", "--test-reporter=spec", source + "/tests/e2e/punchout/browser.test.mjs"},
      {{"START_PAGE_URL", session.start_page_url()},
       {"IOB_ARTIFACT_DIR", artifacts},
       {"IOB_NODE_DIR", node_dir},
       {"NO_COLOR", "1"}},
      absl::Seconds(180));
  ASSERT_TRUE(run.ok()) << run.status();
  std::printf("%s\n", run->output.c_str());
  ASSERT_EQ(run->exit_code, 0) << run->output << "\npunchout log:\n"
                               << stack->process(Service::kPunchout).ReadLog();
  EXPECT_TRUE(std::filesystem::exists(screenshot));
  if (std::filesystem::exists(screenshot)) {
    EXPECT_GT(std::filesystem::file_size(screenshot), 0u);
  }

  // The cart the browser carried back, read over gRPC.
  pb::GetCartRequest req;
  req.set_session(session.name());
  pb::Cart cart;
  st = stack->Punchout()->GetCart(stack->Ctx("platform").get(), req, &cart);
  ASSERT_TRUE(st.ok()) << st.error_message();
  const sim::Catalog catalog = sim::Catalog::Default();
  const std::vector<std::pair<std::string, std::string>> want = {{"B0SIMPEN12", "2"},
                                                                 {"B0SIMCOFFE", "1"}};
  ASSERT_EQ(cart.lines_size(), 2);
  for (int i = 0; i < 2; ++i) {
    SCOPED_TRACE(want[i].first);
    const sim::Product* p = catalog.Find(want[i].first);
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->auxiliary_id.has_value());
    EXPECT_EQ(cart.lines(i).supplier_part_id(), p->sku);
    EXPECT_EQ(cart.lines(i).supplier_part_auxiliary_id(), p->auxiliary_id->xml);
    EXPECT_EQ(cart.lines(i).quantity(), want[i].second);
    EXPECT_EQ(cart.lines(i).unit_price().amount(), p->unit_price);
  }
  EXPECT_EQ(cart.total().amount(), "41.98");
  pb::GetSessionRequest get;
  get.set_name(session.name());
  pb::Session now;
  ASSERT_TRUE(stack->Punchout()->GetSession(stack->Ctx("platform").get(), get, &now).ok());
  EXPECT_EQ(now.state(), pb::SESSION_STATE_CART_RECEIVED);
}

}  // namespace
}  // namespace iob::punchout::testing
