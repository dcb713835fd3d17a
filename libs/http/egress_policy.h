// The one egress policy every supplier-facing request goes through: which
// URLs iob may contact, and which single IP address it may connect to for
// each. It parses the URL, checks scheme, userinfo, the per-supplier host
// allow-list, resolves the host once (behind the Resolver interface) and
// classifies every address it resolves to; the returned VettedTarget names
// the one address the transport must pin (no second DNS lookup, so no DNS
// rebinding). No I/O besides the Resolver (DNS with a deadline by default).
//
// Rules, in the order they are checked:
//   1. scheme must be https; http only for hosts in plain_http_hosts (test
//      mode, e.g. the local supplier simulator); anything else (file, gopher,
//      ftp, ...) is refused.
//   2. no userinfo (https://user:pass@host) in the URL.
//   3. if the caller passes a non-empty per-supplier allow-list, the host must
//      match one of its entries ("abintegrations.amazon.com" exactly, or
//      "*.amazon.com" = any name ending in ".amazon.com", not amazon.com).
//   4. every address the host resolves to must be public. Loopback, private
//      (RFC 1918, fc00::/7, fec0::/10), shared/CGNAT (100.64/10), link-local
//      (169.254/16, fe80::/10) and reserved/documentation ranges are refused
//      unless the host is in plain_http_hosts or the host or address matches
//      private_allow. Unspecified ("this network" 0/8, ::), broadcast,
//      multicast and cloud metadata (169.254.169.254, fd00:ec2::254) are
//      always refused. Numeric IPv4 spellings (0x7f000001, 2130706433,
//      0177.0.0.1, 127.1) are read with inet_aton semantics and classified
//      like any other address; IPv4-mapped / -compatible / NAT64 / 6to4 IPv6
//      addresses are classified by the IPv4 address they embed.
//
// Every refusal is PERMISSION_DENIED with a message beginning
// "egress policy: " that names the rule; malformed URLs are INVALID_ARGUMENT.
// Messages name the host and address, never the path, query or userinfo.
#ifndef IOB_LIBS_HTTP_EGRESS_POLICY_H_
#define IOB_LIBS_HTTP_EGRESS_POLICY_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iob::http {

// An IPv4 or IPv6 address (no zone id). Value type.
struct IpAddress {
  enum class Family { kV4, kV6 };
  Family family = Family::kV4;
  // Network byte order; IPv4 uses the first 4 bytes.
  std::array<uint8_t, 16> bytes{};

  // Canonical text: dotted quad, or RFC 5952 IPv6 (no brackets).
  std::string ToString() const;
  bool operator==(const IpAddress& other) const;

  static IpAddress V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d);
};

// Reads an address literal. IPv4 with inet_aton semantics (so "127.1",
// "0x7f000001", "2130706433", "0177.0.0.1" all give 127.0.0.1), IPv6 with
// inet_pton (optionally in brackets). Returns nullopt when `text` is not an
// address literal (e.g. a host name). Thread-safe.
std::optional<IpAddress> ParseIpLiteral(std::string_view text);

// What kind of destination an address is, for rule 4 above.
enum class AddressClass {
  kPublic,
  kLoopback,     // 127/8, ::1
  kPrivate,      // 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10
  kShared,       // 100.64/10 (carrier-grade NAT)
  kLinkLocal,    // 169.254/16, fe80::/10
  kMetadata,     // 169.254.169.254, fd00:ec2::254 (cloud instance metadata)
  kUnspecified,  // 0/8 ("this network"), ::
  kBroadcast,    // 255.255.255.255
  kMulticast,    // 224/4, ff00::/8
  kReserved,     // documentation, benchmarking, 240/4, IETF 192.0.0/24,
                 // Teredo 2001::/32, 2001:db8::/32, discard 100::/64
};

// Classifies `addr`; embedded IPv4 addresses (::ffff:a.b.c.d, ::a.b.c.d,
// 64:ff9b::/96, 2002::/16) are classified as that IPv4 address.
// Thread-safe.
AddressClass ClassifyAddress(const IpAddress& addr);

// Human-readable name of a class used in refusal messages, e.g. "loopback",
// "link-local/metadata".
std::string_view AddressClassName(AddressClass c);

// True for classes that private_allow / plain_http_hosts may unlock
// (loopback, private, shared, link-local, reserved). Metadata, unspecified,
// broadcast and multicast are never allowed.
bool IsAllowListable(AddressClass c);

// A URL split the way the policy reads it. Host is lower-case, without
// brackets and without a trailing dot; IPv4 literals in any numeric spelling
// are rewritten to dotted-quad.
struct ParsedUrl {
  std::string scheme;  // lower-case
  std::string host;
  int port = 0;      // explicit or scheme default (443 / 80)
  std::string path;  // path + "?query", at least "/"; fragment dropped
  bool has_userinfo = false;
  bool host_is_ip_literal = false;
};

// Parses an absolute http(s)-style URL. Scheme is checked by the caller, not
// here (so "gopher://..." parses). Errors: INVALID_ARGUMENT for a missing
// scheme or host, a bad port, whitespace/control characters, percent-encoded
// or otherwise invalid host characters. Thread-safe.
absl::StatusOr<ParsedUrl> ParseUrl(std::string_view url);

// True when `host` matches `pattern`: exact (case-insensitive), or
// "*.suffix" matching any host that ends in ".suffix" with at least one
// more label ("*.amazon.com" matches "a.amazon.com" and "a.b.amazon.com",
// not "amazon.com", "evilamazon.com" or "amazon.com.evil.io").
bool HostMatches(std::string_view pattern, std::string_view host);

// A parsed CIDR block ("10.0.0.0/8", "::1/128"; a bare address is /32 or
// /128).
struct Cidr {
  IpAddress base;
  int prefix_len = 0;
  // Returns nullopt when `text` is not a CIDR / address.
  static std::optional<Cidr> Parse(std::string_view text);
  bool Contains(const IpAddress& addr) const;
};

// Resolves a host name to addresses. Implementations must be thread-safe.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // Returns every address `host` resolves to (at least one), in preference
  // order. Errors: UNAVAILABLE when the name does not resolve.
  virtual absl::StatusOr<std::vector<IpAddress>> Resolve(std::string_view host) const = 0;
};

// DNS through c-ares with a hard deadline: /etc/hosts first, then the
// servers of /etc/resolv.conf (or `servers`), IPv4 and IPv6. Unlike
// getaddrinfo, a resolver that never answers cannot hold the caller: after
// `timeout` the query is cancelled and Resolve returns DEADLINE_EXCEEDED.
// Thread-safe (each call uses its own c-ares channel).
class DnsResolver : public Resolver {
 public:
  // `servers`: "ip:port" / "ip" entries ("[::1]:53" for IPv6) used instead
  // of /etc/resolv.conf's; empty = the system's.
  explicit DnsResolver(absl::Duration timeout = absl::Seconds(5),
                       std::vector<std::string> servers = {});

  // Errors: UNAVAILABLE when the name does not resolve (or the servers
  // cannot be used), DEADLINE_EXCEEDED when no answer came within the
  // timeout. Messages name the host only.
  absl::StatusOr<std::vector<IpAddress>> Resolve(std::string_view host) const override;

 private:
  absl::Duration timeout_;
  std::string servers_csv_;
};

struct EgressPolicyOptions {
  // Hosts allowed over plain http:// and to non-public addresses: test-mode
  // targets such as the local supplier simulator. "host" matches any port,
  // "host:port" (IPv6 as "[::1]:8200") only that port. Never set in
  // production.
  std::vector<std::string> plain_http_hosts;
  // Hosts ("sim.internal", "*.corp.example") or CIDRs / addresses
  // ("10.1.0.0/16", "127.0.0.1") whose non-public addresses are allowed
  // (over https only, unless also in plain_http_hosts).
  std::vector<std::string> private_allow;
  // Bound on the DNS lookup of the URL's host (before connect_timeout and
  // total_timeout start), and the DNS servers to ask ("ip:port"; empty =
  // /etc/resolv.conf). Used by the default DnsResolver only.
  absl::Duration dns_timeout = absl::Seconds(5);
  std::vector<std::string> dns_servers;
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration total_timeout = absl::Seconds(30);
  size_t max_response_bytes = 4 * 1024 * 1024;
};

// A URL that passed the policy, with the one address to connect to.
struct VettedTarget {
  std::string scheme;  // "https" or "http"
  std::string host;    // as in ParsedUrl (used for Host header, SNI, certs)
  int port = 0;
  std::string path;  // path + query
  IpAddress ip;      // the vetted address the connection must use
  bool host_is_ip_literal = false;

  // scheme://host:port/path, with IPv6 hosts in brackets: the URL to hand to
  // the transport (never the caller's original spelling).
  std::string Url() const;
};

class EgressPolicy {
 public:
  // `resolver` may be null: a DnsResolver with the options' dns_timeout and
  // dns_servers is used. The policy owns it.
  explicit EgressPolicy(EgressPolicyOptions options, std::unique_ptr<Resolver> resolver = nullptr);

  // Checks `url` against the rules above with the per-supplier allow-list
  // `allowed_hosts` (entries as for HostMatches; empty = any public host).
  // Returns the target to connect to. Errors: PERMISSION_DENIED
  // ("egress policy: ...") for a refusal, INVALID_ARGUMENT for a malformed
  // URL, UNAVAILABLE when the host does not resolve, DEADLINE_EXCEEDED when
  // its DNS lookup takes longer than dns_timeout. Thread-safe (const).
  absl::StatusOr<VettedTarget> Vet(std::string_view url,
                                   const std::vector<std::string>& allowed_hosts) const;

  const EgressPolicyOptions& options() const { return options_; }

 private:
  bool IsPlainHttpHost(const ParsedUrl& url) const;
  bool IsPrivateAllowed(const ParsedUrl& url, const IpAddress& ip) const;

  EgressPolicyOptions options_;
  std::vector<Cidr> private_allow_cidrs_;
  std::vector<std::string> private_allow_hosts_;
  std::unique_ptr<Resolver> resolver_;
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_EGRESS_POLICY_H_
