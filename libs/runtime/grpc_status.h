// The one place an absl::Status becomes a grpc::Status at the RPC edge.
// absl and gRPC share code numbers; the message is passed through as is, so
// callers must only build messages that are safe to show a client.
#ifndef IOB_LIBS_RUNTIME_GRPC_STATUS_H_
#define IOB_LIBS_RUNTIME_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace iob::runtime {

inline grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

inline absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_GRPC_STATUS_H_
