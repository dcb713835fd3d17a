#include "libs/runtime/grpc_status.h"

#include <algorithm>

#include "absl/strings/strip.h"
#include "libs/common/logging.h"

namespace iob::runtime {

std::string RequestIdOf(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("x-request-id");
  return it == md.end() ? ""
                        : std::string(it->second.data(), std::min<size_t>(it->second.size(), 128));
}

grpc::Status FinishRpc(const grpc::ServerContext& ctx, absl::string_view method,
                       absl::string_view resource, const absl::Status& status) {
  if (!status.ok()) {
    absl::string_view tenant = resource;
    tenant = absl::ConsumePrefix(&tenant, "tenants/") ? tenant.substr(0, tenant.find('/')) : "";
    const bool server_side = status.code() == absl::StatusCode::kInternal ||
                             status.code() == absl::StatusCode::kDataLoss ||
                             status.code() == absl::StatusCode::kUnavailable;
    common::Log(server_side ? common::LogLevel::kError : common::LogLevel::kInfo, "rpc failed",
                {{"method", method},
                 {"resource", resource},
                 {"tenant", tenant},
                 {"request_id", RequestIdOf(ctx)},
                 {"code", absl::StatusCodeToString(status.code())},
                 {"error", status.message()}});
  }
  return ToGrpcStatus(status);
}

}  // namespace iob::runtime
