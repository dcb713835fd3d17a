// What an RPC on punchout's paths writes to the log about its caller's
// input: libs/runtime FinishRpc (the one place a failed call is logged,
// before or after auth) bounds the resource name it quotes.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "libs/common/logging.h"
#include "libs/runtime/grpc_status.h"

namespace iob::punchout {
namespace {

TEST(RpcLogTest, Finding12_AHugeResourceNameIsLoggedBounded) {
  std::ostringstream out;
  common::InitLogging("punchout-test", common::LogLevel::kInfo, &out);
  grpc::ServerContext ctx;
  const std::string name = "tenants/" + std::string(4 << 20, 'a') + "/sessions/s1";
  const grpc::Status st = runtime::FinishRpc(ctx, "GetSession", name,
                                             absl::UnauthenticatedError("missing bearer token"));
  common::InitLogging("punchout-test", common::LogLevel::kInfo, &std::cout);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const std::string line = out.str();
  EXPECT_NE(line.find("rpc failed"), std::string::npos) << line.substr(0, 300);
  EXPECT_NE(line.find("tenants/aaaa"), std::string::npos);
  EXPECT_LT(line.size(), 2000u) << "the 4 MiB name was logged whole";
}

}  // namespace
}  // namespace iob::punchout
