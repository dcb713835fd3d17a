// The gRPC side of idempotency (see libs/db/idempotency.h): checks a
// request's `request_id` and derives the key a store claims.
#ifndef IOB_LIBS_RUNTIME_REQUEST_KEY_H_
#define IOB_LIBS_RUNTIME_REQUEST_KEY_H_

#include <google/protobuf/message.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/db/idempotency.h"

namespace iob::runtime {

// OK for "" (not idempotent) or up to 128 printable ASCII characters;
// INVALID_ARGUMENT "request_id: ..." otherwise. Thread-safe.
absl::Status ValidateRequestId(absl::string_view request_id);

// SHA-256 (hex) of `request` serialized deterministically with its
// `request_id` field cleared: two requests hash alike when they ask for the
// same thing. The hash is stored in plaintext, so a request that carries a
// secret must be passed with the secret replaced by a keyed fingerprint (a
// bare hash of a low-entropy secret could be brute-forced). Thread-safe.
std::string RequestHash(const google::protobuf::Message& request);

// The key for `method` ("CreateIntegration") of `tenant`, from the request's
// string field `request_id` (validated as above). Thread-safe.
absl::StatusOr<db::RequestKey> RequestKeyOf(absl::string_view tenant, absl::string_view method,
                                            const google::protobuf::Message& request);

}  // namespace iob::runtime

#endif  // IOB_LIBS_RUNTIME_REQUEST_KEY_H_
