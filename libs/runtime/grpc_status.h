// The one place an absl::Status becomes a grpc::Status at the RPC edge.
// absl and gRPC share code numbers; the message is passed through as is, so
// callers must only build messages that are safe to show a client.
#ifndef IOB_LIBS_RUNTIME_GRPC_STATUS_H_
#define IOB_LIBS_RUNTIME_GRPC_STATUS_H_

#include <grpcpp/server_context.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/db/pool.h"

namespace iob::runtime {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

// The caller's `x-request-id` metadata (at most 128 bytes), or "".
std::string RequestIdOf(const grpc::ServerContext& ctx);

// Ends an RPC: logs a failed call once (method, tenant taken from
// `resource` = the request's resource or parent name, request id, code and
// the client-safe message; errors for INTERNAL / DATA_LOSS / UNAVAILABLE)
// and returns ToGrpcStatus(status).
grpc::Status FinishRpc(const grpc::ServerContext& ctx, absl::string_view method,
                       absl::string_view resource, const absl::Status& status);

// The client's deadline as absl::Time (InfiniteFuture when it set none).
absl::Time DeadlineOf(const grpc::ServerContext& ctx);

// The one handler style of every RPC: runs `body` (which validates,
// authorises and calls the domain, filling the response) under the client's
// deadline (db::ScopedDeadline: its database work is cancelled when the
// deadline passes) and finishes the call with FinishRpc. `resource` is the
// request's resource or parent name.
//   return runtime::HandleRpc(*ctx, "GetSession", req->name(), [&]() -> absl::Status {...});
inline grpc::Status HandleRpc(const grpc::ServerContext& ctx, absl::string_view method,
                              absl::string_view resource,
                              const std::function<absl::Status()>& body) {
  absl::Status status;
  {
    db::ScopedDeadline deadline(DeadlineOf(ctx));
    status = body();
  }
  return FinishRpc(ctx, method, resource, status);
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_GRPC_STATUS_H_
