// Implementation of the egress policy: URL parsing, address classification,
// allow-list matching and the Vet() decision.
#include "libs/http/egress_policy.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace iob::http {
namespace {

absl::string_view ToAbsl(std::string_view s) { return {s.data(), s.size()}; }

constexpr absl::string_view kPrefix = "egress policy: ";

absl::Status Denied(absl::string_view what) {
  return absl::PermissionDeniedError(absl::StrCat(kPrefix, what));
}

absl::Status Malformed(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(kPrefix, "malformed URL: ", what));
}

bool IsHexOrDecimalLabel(absl::string_view label) {
  if (label.empty()) return false;
  if (label.size() > 1 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X')) {
    return std::all_of(label.begin() + 2, label.end(),
                       [](char c) { return absl::ascii_isxdigit(static_cast<unsigned char>(c)); });
  }
  return std::all_of(label.begin(), label.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); });
}

std::optional<IpAddress> ParseV4(absl::string_view text) {
  // Only characters inet_aton can use in a numeric address: glibc's
  // inet_aton also accepts trailing junk after whitespace, which we do not.
  if (text.empty() || text.size() > 64) return std::nullopt;
  for (char c : text) {
    if (!(absl::ascii_isxdigit(static_cast<unsigned char>(c)) || c == 'x' || c == 'X' ||
          c == '.')) {
      return std::nullopt;
    }
  }
  std::string copy(text);
  in_addr addr{};
  if (inet_aton(copy.c_str(), &addr) == 0) return std::nullopt;
  IpAddress ip;
  ip.family = IpAddress::Family::kV4;
  std::memcpy(ip.bytes.data(), &addr.s_addr, 4);
  return ip;
}

std::optional<IpAddress> ParseV6(absl::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string copy(text);
  in6_addr addr{};
  if (inet_pton(AF_INET6, copy.c_str(), &addr) != 1) return std::nullopt;
  IpAddress ip;
  ip.family = IpAddress::Family::kV6;
  std::memcpy(ip.bytes.data(), &addr, 16);
  return ip;
}

AddressClass ClassifyV4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  if (a == 0) return AddressClass::kUnspecified;
  if (a == 127) return AddressClass::kLoopback;
  if (a == 10) return AddressClass::kPrivate;
  if (a == 172 && (b & 0xF0) == 16) return AddressClass::kPrivate;
  if (a == 192 && b == 168) return AddressClass::kPrivate;
  if (a == 169 && b == 254) {
    return (c == 169 && d == 254) ? AddressClass::kMetadata : AddressClass::kLinkLocal;
  }
  if (a == 100 && b == 100 && c == 100 && d == 200) return AddressClass::kMetadata;  // Alibaba
  if (a == 100 && (b & 0xC0) == 64) return AddressClass::kShared;
  if (a == 192 && b == 0 && (c == 0 || c == 2)) return AddressClass::kReserved;
  if (a == 192 && b == 88 && c == 99) return AddressClass::kReserved;  // 6to4 relay
  if (a == 198 && (b & 0xFE) == 18) return AddressClass::kReserved;    // benchmarking
  if (a == 198 && b == 51 && c == 100) return AddressClass::kReserved;
  if (a == 203 && b == 0 && c == 113) return AddressClass::kReserved;
  if (a == 255 && b == 255 && c == 255 && d == 255) return AddressClass::kBroadcast;
  if ((a & 0xF0) == 224) return AddressClass::kMulticast;
  if ((a & 0xF0) == 240) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

bool AllZero(const std::array<uint8_t, 16>& b, size_t from, size_t to) {
  for (size_t i = from; i < to; ++i) {
    if (b[i] != 0) return false;
  }
  return true;
}

// Splits "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address.
// Returns false when the port is present but invalid.
bool SplitHostPort(absl::string_view entry, std::string* host, std::optional<int>* port) {
  absl::string_view port_text;
  bool has_port = false;
  if (!entry.empty() && entry.front() == '[') {
    size_t close = entry.find(']');
    if (close == absl::string_view::npos) return false;
    *host = std::string(entry.substr(1, close - 1));
    absl::string_view rest = entry.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port_text = rest.substr(1);
      has_port = true;
    }
  } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
    size_t colon = entry.find(':');
    *host = std::string(entry.substr(0, colon));
    port_text = entry.substr(colon + 1);
    has_port = true;
  } else {
    *host = std::string(entry);
  }
  port->reset();
  if (has_port && !port_text.empty()) {
    int p = 0;
    if (!std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
        port_text.size() > 5 || !absl::SimpleAtoi(port_text, &p) || p < 1 || p > 65535) {
      return false;
    }
    *port = p;
  }
  return true;
}

// Lower-cases, drops one trailing dot and canonicalises IP literals, so that
// allow-list entries compare with ParsedUrl::host.
std::string NormalizeHost(absl::string_view host) {
  std::string h = absl::AsciiStrToLower(host);
  if (h.size() > 1 && h.back() == '.') h.pop_back();
  if (auto ip = ParseIpLiteral(h)) return ip->ToString();
  return h;
}

}  // namespace

// ---------------------------------------------------------------------------
// IpAddress

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == Family::kV4) {
    inet_ntop(AF_INET, bytes.data(), buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof(buf));
  }
  return buf;
}

bool IpAddress::operator==(const IpAddress& other) const {
  if (family != other.family) return false;
  size_t n = family == Family::kV4 ? 4 : 16;
  return std::equal(bytes.begin(), bytes.begin() + n, other.bytes.begin());
}

IpAddress IpAddress::V4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  IpAddress ip;
  ip.family = Family::kV4;
  ip.bytes[0] = a;
  ip.bytes[1] = b;
  ip.bytes[2] = c;
  ip.bytes[3] = d;
  return ip;
}

std::optional<IpAddress> ParseIpLiteral(std::string_view text_in) {
  absl::string_view text(text_in.data(), text_in.size());
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    return ParseV6(text.substr(1, text.size() - 2));
  }
  if (text.find(':') != absl::string_view::npos) return ParseV6(text);
  return ParseV4(text);
}

AddressClass ClassifyAddress(const IpAddress& addr) {
  const auto& b = addr.bytes;
  if (addr.family == IpAddress::Family::kV4) return ClassifyV4(b[0], b[1], b[2], b[3]);

  if (AllZero(b, 0, 16)) return AddressClass::kUnspecified;
  if (AllZero(b, 0, 15) && b[15] == 1) return AddressClass::kLoopback;
  // IPv4-mapped ::ffff:a.b.c.d
  if (AllZero(b, 0, 10) && b[10] == 0xFF && b[11] == 0xFF) {
    return ClassifyV4(b[12], b[13], b[14], b[15]);
  }
  // IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
  if (AllZero(b, 0, 12)) return ClassifyV4(b[12], b[13], b[14], b[15]);
  // NAT64 well-known prefix 64:ff9b::/96
  if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && AllZero(b, 4, 12)) {
    return ClassifyV4(b[12], b[13], b[14], b[15]);
  }
  // 6to4 2002:a.b.c.d::/48
  if (b[0] == 0x20 && b[1] == 0x02) return ClassifyV4(b[2], b[3], b[4], b[5]);
  // AWS metadata over IPv6: fd00:ec2::254
  if (b[0] == 0xFD && b[1] == 0x00 && b[2] == 0x0E && b[3] == 0xC2 && AllZero(b, 4, 14) &&
      b[14] == 0x02 && b[15] == 0x54) {
    return AddressClass::kMetadata;
  }
  if ((b[0] & 0xFE) == 0xFC) return AddressClass::kPrivate;                    // fc00::/7
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return AddressClass::kLinkLocal;  // fe80::/10
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return AddressClass::kPrivate;    // fec0::/10
  if (b[0] == 0xFF) return AddressClass::kMulticast;                           // ff00::/8
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8) {          // 2001:db8::/32
    return AddressClass::kReserved;
  }
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) {  // Teredo
    return AddressClass::kReserved;
  }
  if (b[0] == 0x20 && b[1] == 0x01 && (b[2] & 0xFE) == 0x00) {  // 2001::/23
    return AddressClass::kReserved;                             // IETF special
  }
  // Everything outside global unicast 2000::/3 is unassigned or special.
  if ((b[0] & 0xE0) != 0x20) return AddressClass::kReserved;
  return AddressClass::kPublic;
}

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kShared:
      return "shared (CGNAT)";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMetadata:
      return "link-local/metadata";
    case AddressClass::kUnspecified:
      return "unspecified";
    case AddressClass::kBroadcast:
      return "broadcast";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      return "reserved";
  }
  return "unknown";
}

bool IsAllowListable(AddressClass c) {
  switch (c) {
    case AddressClass::kLoopback:
    case AddressClass::kPrivate:
    case AddressClass::kShared:
    case AddressClass::kLinkLocal:
    case AddressClass::kReserved:
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------
// URL parsing and host matching

absl::StatusOr<ParsedUrl> ParseUrl(std::string_view url_in) {
  absl::string_view url(url_in.data(), url_in.size());
  if (url.size() > 8192) return Malformed("longer than 8192 characters");
  for (char c : url) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '\\') {
      return Malformed("contains whitespace, a control character or a backslash");
    }
  }
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos || sep == 0) return Malformed("no scheme://");
  ParsedUrl out;
  out.scheme = absl::AsciiStrToLower(url.substr(0, sep));
  for (char c : out.scheme) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) {
      return Malformed("invalid scheme");
    }
  }
  absl::string_view rest = url.substr(sep + 3);
  size_t auth_end = rest.find_first_of("/?#");
  absl::string_view authority = rest.substr(0, auth_end);
  absl::string_view tail = auth_end == absl::string_view::npos ? "" : rest.substr(auth_end);

  size_t at = authority.rfind('@');
  if (at != absl::string_view::npos) {
    out.has_userinfo = true;
    authority = authority.substr(at + 1);
  }
  std::string host;
  std::optional<int> port;
  if (!SplitHostPort(authority, &host, &port)) return Malformed("invalid host or port");
  if (host.empty()) return Malformed("no host");

  bool bracketed = !authority.empty() && authority.front() == '[';
  if (bracketed) {
    auto ip = ParseV6(host);
    if (!ip) return Malformed("invalid IPv6 address in brackets");
    out.host = ip->ToString();
    out.host_is_ip_literal = true;
  } else {
    std::string h = absl::AsciiStrToLower(host);
    if (h.size() > 1 && h.back() == '.') h.pop_back();
    if (h.size() > 253) return Malformed("host name too long");
    for (char c : h) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
            c == '_')) {
        return Malformed("invalid character in host");
      }
    }
    std::vector<absl::string_view> labels = absl::StrSplit(h, '.');
    for (absl::string_view label : labels) {
      if (label.empty() || label.size() > 63) return Malformed("empty or over-long host label");
    }
    if (auto ip = ParseV4(h)) {
      out.host = ip->ToString();
      out.host_is_ip_literal = true;
    } else if (IsHexOrDecimalLabel(labels.back())) {
      // WHATWG: a host whose last label is numeric must be an IPv4 address;
      // resolvers would disagree about anything else.
      return Malformed("numeric host is not a valid IPv4 address");
    } else {
      out.host = std::move(h);
    }
  }

  if (port) {
    out.port = *port;
  } else if (out.scheme == "https") {
    out.port = 443;
  } else if (out.scheme == "http") {
    out.port = 80;
  }

  size_t hash = tail.find('#');
  if (hash != absl::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty()) {
    out.path.assign(1, '/');  // (operator= trips a GCC 12 -Wrestrict false positive)
  } else if (tail.front() == '?') {
    out.path = absl::StrCat("/", tail);
  } else {
    out.path = std::string(tail);
  }
  return out;
}

bool HostMatches(std::string_view pattern_in, std::string_view host_in) {
  absl::string_view pattern(pattern_in.data(), pattern_in.size());
  absl::string_view host(host_in.data(), host_in.size());
  std::string p = absl::AsciiStrToLower(pattern);
  std::string h = NormalizeHost(host);
  if (p.empty() || h.empty()) return false;
  if (absl::StartsWith(p, "*.")) {
    absl::string_view suffix = absl::string_view(p).substr(1);  // ".amazon.com"
    return h.size() > suffix.size() && absl::EndsWith(h, suffix);
  }
  return NormalizeHost(p) == h;
}

std::optional<Cidr> Cidr::Parse(std::string_view text_in) {
  absl::string_view text(text_in.data(), text_in.size());
  absl::string_view addr_text = text;
  std::optional<int> prefix;
  size_t slash = text.find('/');
  if (slash != absl::string_view::npos) {
    addr_text = text.substr(0, slash);
    int p = 0;
    absl::string_view ptext = text.substr(slash + 1);
    if (ptext.empty() || ptext.size() > 3 ||
        !std::all_of(ptext.begin(), ptext.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) ||
        !absl::SimpleAtoi(ptext, &p)) {
      return std::nullopt;
    }
    prefix = p;
  }
  // CIDRs are written in plain dotted-quad / IPv6; no inet_aton shorthand.
  std::optional<IpAddress> ip;
  if (addr_text.find(':') != absl::string_view::npos) {
    ip = ParseV6(addr_text);
  } else {
    std::string copy(addr_text);
    in_addr a{};
    if (inet_pton(AF_INET, copy.c_str(), &a) == 1) {
      IpAddress v4;
      std::memcpy(v4.bytes.data(), &a, 4);
      ip = v4;
    }
  }
  if (!ip) return std::nullopt;
  int max = ip->family == IpAddress::Family::kV4 ? 32 : 128;
  int len = prefix.value_or(max);
  if (len < 0 || len > max) return std::nullopt;
  return Cidr{*ip, len};
}

bool Cidr::Contains(const IpAddress& addr) const {
  if (addr.family != base.family) return false;
  int full = prefix_len / 8;
  for (int i = 0; i < full; ++i) {
    if (addr.bytes[i] != base.bytes[i]) return false;
  }
  int bits = prefix_len % 8;
  if (bits == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits));
  return (addr.bytes[full] & mask) == (base.bytes[full] & mask);
}

// ---------------------------------------------------------------------------
// Resolver

namespace {

// What one ares_getaddrinfo call produced.
struct DnsAnswer {
  bool done = false;
  int status = ARES_SUCCESS;
  std::vector<IpAddress> addresses;
};

void OnAddrInfo(void* arg, int status, int /*timeouts*/, ares_addrinfo* result) {
  auto* answer = static_cast<DnsAnswer*>(arg);
  answer->done = true;
  answer->status = status;
  if (result == nullptr) return;
  for (ares_addrinfo_node* n = result->nodes; n != nullptr; n = n->ai_next) {
    IpAddress ip;
    if (n->ai_family == AF_INET) {
      ip.family = IpAddress::Family::kV4;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr, 4);
    } else if (n->ai_family == AF_INET6) {
      ip.family = IpAddress::Family::kV6;
      std::memcpy(ip.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr,
                  16);
    } else {
      continue;
    }
    if (std::find(answer->addresses.begin(), answer->addresses.end(), ip) ==
        answer->addresses.end()) {
      answer->addresses.push_back(ip);
    }
  }
  ares_freeaddrinfo(result);
}

// Owns a c-ares channel.
struct AresChannel {
  ares_channel channel = nullptr;
  ~AresChannel() {
    if (channel != nullptr) ares_destroy(channel);
  }
};

}  // namespace

DnsResolver::DnsResolver(absl::Duration timeout, std::vector<std::string> servers)
    : timeout_(timeout), servers_csv_(absl::StrJoin(servers, ",")) {
  static const int init = ares_library_init(ARES_LIB_INIT_ALL);
  (void)init;
}

absl::StatusOr<std::vector<IpAddress>> DnsResolver::Resolve(std::string_view host_in) const {
  absl::string_view host(host_in.data(), host_in.size());
  const absl::Time deadline = absl::Now() + timeout_;
  // Two tries per server inside the overall deadline.
  ares_options options{};
  options.timeout = std::max<int>(50, absl::ToInt64Milliseconds(timeout_) / 2);
  options.tries = 2;
  DnsAnswer answer;  // outlives the channel, whose destruction may still call back
  AresChannel c;
  if (ares_init_options(&c.channel, &options, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) !=
      ARES_SUCCESS) {
    return absl::UnavailableError(
        absl::StrCat("could not resolve host '", host, "': DNS resolver could not be initialised"));
  }
  if (!servers_csv_.empty() &&
      ares_set_servers_ports_csv(c.channel, servers_csv_.c_str()) != ARES_SUCCESS) {
    return absl::UnavailableError(
        absl::StrCat("could not resolve host '", host, "': bad DNS server list"));
  }
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string name(host);
  ares_getaddrinfo(c.channel, name.c_str(), nullptr, &hints, &OnAddrInfo, &answer);
  while (!answer.done) {
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) break;
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    const int mask = ares_getsock(c.channel, socks, ARES_GETSOCK_MAXNUM);
    std::vector<pollfd> fds;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(mask, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(mask, i)) events |= POLLOUT;
      if (events != 0) fds.push_back({socks[i], events, 0});
    }
    timeval max_wait = absl::ToTimeval(left), wait{};
    ares_timeout(c.channel, &max_wait, &wait);
    const int ms = static_cast<int>(wait.tv_sec * 1000 + (wait.tv_usec + 999) / 1000);
    const int ready = poll(fds.data(), fds.size(), std::max(ms, 1));
    if (ready <= 0) {
      ares_process_fd(c.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts, retries
      continue;
    }
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      const bool readable = (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0;
      const bool writable = (p.revents & POLLOUT) != 0;
      ares_process_fd(c.channel, readable ? p.fd : ARES_SOCKET_BAD,
                      writable ? p.fd : ARES_SOCKET_BAD);
    }
  }
  if (!answer.done) {
    // Abandon the query: the channel (and its sockets) go with `c`.
    return absl::DeadlineExceededError(absl::StrCat("could not resolve host '", host, "' within ",
                                                    absl::FormatDuration(timeout_)));
  }
  if (answer.status != ARES_SUCCESS) {
    return absl::UnavailableError(
        absl::StrCat("could not resolve host '", host, "': ", ares_strerror(answer.status)));
  }
  if (answer.addresses.empty()) {
    return absl::UnavailableError(absl::StrCat("host '", host, "' has no IPv4/IPv6 address"));
  }
  return answer.addresses;
}

// ---------------------------------------------------------------------------
// EgressPolicy

std::string VettedTarget::Url() const {
  bool v6 = ip.family == IpAddress::Family::kV6 && host_is_ip_literal;
  return absl::StrCat(scheme, "://", v6 ? "[" : "", host, v6 ? "]" : "", ":", port, path);
}

EgressPolicy::EgressPolicy(EgressPolicyOptions options, std::unique_ptr<Resolver> resolver)
    : options_(std::move(options)), resolver_(std::move(resolver)) {
  if (!resolver_) {
    resolver_ = std::make_unique<DnsResolver>(options_.dns_timeout, options_.dns_servers);
  }
  for (const std::string& entry : options_.private_allow) {
    if (auto cidr = Cidr::Parse(entry)) {
      private_allow_cidrs_.push_back(*cidr);
    } else {
      private_allow_hosts_.push_back(absl::AsciiStrToLower(entry));
    }
  }
}

bool EgressPolicy::IsPlainHttpHost(const ParsedUrl& url) const {
  for (const std::string& entry : options_.plain_http_hosts) {
    std::string host;
    std::optional<int> port;
    if (!SplitHostPort(entry, &host, &port)) continue;
    if (NormalizeHost(host) != url.host) continue;
    if (port && *port != url.port) continue;
    return true;
  }
  return false;
}

bool EgressPolicy::IsPrivateAllowed(const ParsedUrl& url, const IpAddress& ip) const {
  for (const Cidr& cidr : private_allow_cidrs_) {
    if (cidr.Contains(ip)) return true;
  }
  for (const std::string& pattern : private_allow_hosts_) {
    if (HostMatches(pattern, url.host)) return true;
  }
  return false;
}

absl::StatusOr<VettedTarget> EgressPolicy::Vet(
    std::string_view url_in, const std::vector<std::string>& allowed_hosts) const {
  absl::string_view url(url_in.data(), url_in.size());
  // Rule 1 first, on the bare scheme, so "file:///etc/passwd" and
  // "mailto:x" are named as a scheme refusal rather than a parse error.
  size_t colon = url.find(':');
  if (colon == absl::string_view::npos || colon == 0) return Malformed("no scheme");
  std::string scheme = absl::AsciiStrToLower(url.substr(0, colon));
  if (scheme != "https" && scheme != "http") {
    bool printable = scheme.size() <= 32 && std::all_of(scheme.begin(), scheme.end(), [](char c) {
                       return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                              c == '-' || c == '.';
                     });
    return Denied(absl::StrCat("scheme '", printable ? scheme : "?", "' not allowed (https only)"));
  }
  IOB_ASSIGN_OR_RETURN(ParsedUrl parsed, ParseUrl(url_in));

  // Rule 2.
  if (parsed.has_userinfo) {
    return Denied("credentials (userinfo) in the URL are not allowed");
  }
  const bool plain_http_host = IsPlainHttpHost(parsed);
  if (parsed.scheme == "http" && !plain_http_host) {
    return Denied(absl::StrCat("scheme 'http' not allowed for host '", parsed.host,
                               "' (https only; plain http is for allow-listed test hosts)"));
  }

  // Rule 3.
  if (!allowed_hosts.empty()) {
    bool listed = std::any_of(allowed_hosts.begin(), allowed_hosts.end(),
                              [&](const std::string& p) { return HostMatches(p, parsed.host); });
    if (!listed) {
      return Denied(
          absl::StrCat("host '", parsed.host, "' is not in the supplier's allowed hosts"));
    }
  }

  // Rule 4: resolve once, vet every address, pin the first.
  std::vector<IpAddress> addresses;
  if (parsed.host_is_ip_literal) {
    addresses.push_back(*ParseIpLiteral(parsed.host));
  } else {
    IOB_ASSIGN_OR_RETURN(addresses, resolver_->Resolve(parsed.host));
    if (addresses.empty()) {
      return absl::UnavailableError(absl::StrCat("could not resolve host '", parsed.host, "'"));
    }
  }
  for (const IpAddress& ip : addresses) {
    AddressClass c = ClassifyAddress(ip);
    if (c == AddressClass::kPublic) continue;
    if (!IsAllowListable(c)) {
      return Denied(absl::StrCat("host '", parsed.host, "' resolves to ",
                                 ToAbsl(AddressClassName(c)), " address ", ip.ToString(),
                                 " (never allowed)"));
    }
    if (!plain_http_host && !IsPrivateAllowed(parsed, ip)) {
      return Denied(absl::StrCat("host '", parsed.host, "' resolves to ",
                                 ToAbsl(AddressClassName(c)), " address ", ip.ToString(),
                                 " (not allow-listed)"));
    }
  }

  VettedTarget target;
  target.scheme = parsed.scheme;
  target.host = parsed.host;
  target.port = parsed.port;
  target.path = parsed.path;
  target.ip = addresses.front();
  target.host_is_ip_literal = parsed.host_is_ip_literal;
  return target;
}

}  // namespace iob::http
