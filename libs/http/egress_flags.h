// The egress flags every supplier-facing service takes, in one place:
// --plain-http-hosts, --private-allow and --supplier-timeout, turned into
// EgressPolicyOptions.
#ifndef IOB_LIBS_HTTP_EGRESS_FLAGS_H_
#define IOB_LIBS_HTTP_EGRESS_FLAGS_H_

#include <string>

#include "absl/time/time.h"
#include "libs/common/flags.h"
#include "libs/http/egress_policy.h"

namespace iob::http {

// Not thread-safe; lives in main() and must outlive the flag parse.
struct EgressFlags {
  std::string plain_http_hosts;  // comma-separated
  std::string private_allow;     // comma-separated
  absl::Duration supplier_timeout = absl::Seconds(30);

  // Adds the three flags to `flags`.
  void Register(common::Flags& flags);
  // The policy options the flags say (lists split at commas, blanks dropped).
  EgressPolicyOptions Options() const;
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_EGRESS_FLAGS_H_
