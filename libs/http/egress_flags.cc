#include "libs/http/egress_flags.h"

#include "absl/strings/str_split.h"

namespace iob::http {

void EgressFlags::Register(common::Flags& flags) {
  flags.Add("plain-http-hosts", &plain_http_hosts,
            "egress: comma-separated host[:port] that may be reached over http and on private "
            "addresses (the local supplier simulator); everything else is https to public hosts");
  flags.Add("private-allow", &private_allow,
            "egress: comma-separated hosts or CIDRs whose private addresses may be reached");
  flags.Add("supplier-timeout", &supplier_timeout, "total time allowed for one supplier call");
}

EgressPolicyOptions EgressFlags::Options() const {
  EgressPolicyOptions options;
  options.plain_http_hosts = absl::StrSplit(plain_http_hosts, ',', absl::SkipWhitespace());
  options.private_allow = absl::StrSplit(private_allow, ',', absl::SkipWhitespace());
  options.total_timeout = supplier_timeout;
  return options;
}

}  // namespace iob::http
