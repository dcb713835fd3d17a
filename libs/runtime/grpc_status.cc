#include "libs/runtime/grpc_status.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/strip.h"
#include "libs/common/logging.h"

namespace iob::runtime {

std::string RequestIdOf(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("x-request-id");
  return it == md.end() ? ""
                        : std::string(it->second.data(), std::min<size_t>(it->second.size(), 128));
}

absl::Time DeadlineOf(const grpc::ServerContext& ctx) {
  const std::chrono::system_clock::time_point deadline = ctx.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline);
}

grpc::Status FinishRpc(const grpc::ServerContext& ctx, absl::string_view method,
                       absl::string_view resource, const absl::Status& status) {
  if (!status.ok()) {
    resource = resource.substr(0, 200);  // untrusted, logged before auth: bounded
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
