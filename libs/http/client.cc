// libcurl implementation of HttpClient behind the EgressPolicy.
#include "libs/http/client.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "libs/common/status_macros.h"
#include "libs/http/curl_handles.h"

namespace iob::http {
namespace {

constexpr size_t kMaxHeaderBytes = 64 * 1024;
constexpr size_t kMaxLocationChars = 200;

// Per-transfer state shared with the curl callbacks.
struct TransferState {
  size_t max_body = 0;
  std::string body;
  bool body_too_large = false;
  HeaderList headers;
  size_t header_bytes = 0;
  bool headers_too_large = false;
  IpAddress pinned;
  bool socket_refused = false;
  std::string refused_address;
};

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* st = static_cast<TransferState*>(userdata);
  size_t n = size * nmemb;
  if (st->body.size() + n > st->max_body) {
    st->body_too_large = true;
    return 0;  // any short count aborts the transfer with CURLE_WRITE_ERROR
  }
  st->body.append(ptr, n);
  return n;
}

size_t WriteHeader(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* st = static_cast<TransferState*>(userdata);
  size_t n = size * nmemb;
  st->header_bytes += n;
  if (st->header_bytes > kMaxHeaderBytes) {
    st->headers_too_large = true;
    return 0;
  }
  absl::string_view line(ptr, n);
  if (absl::StartsWith(line, "HTTP/")) {
    st->headers.clear();  // a new response (after 100 Continue): keep only the final one
    return n;
  }
  size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return n;
  absl::string_view name = absl::StripAsciiWhitespace(line.substr(0, colon));
  absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  st->headers.emplace_back(std::string(name), std::string(value));
  return n;
}

// Only ever connect to the vetted address. CURLOPT_RESOLVE already makes curl
// use it; this check also stops a proxy, a stale DNS cache entry or any other
// path that would open a socket elsewhere.
curl_socket_t OpenSocket(void* clientp, curlsocktype purpose, curl_sockaddr* address) {
  auto* st = static_cast<TransferState*>(clientp);
  bool match = false;
  if (purpose == CURLSOCKTYPE_IPCXN) {
    if (address->family == AF_INET && st->pinned.family == IpAddress::Family::kV4) {
      const auto* sin = reinterpret_cast<const sockaddr_in*>(&address->addr);
      match = std::memcmp(&sin->sin_addr, st->pinned.bytes.data(), 4) == 0;
    } else if (address->family == AF_INET6 && st->pinned.family == IpAddress::Family::kV6) {
      const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&address->addr);
      match = std::memcmp(&sin6->sin6_addr, st->pinned.bytes.data(), 16) == 0;
    }
  }
  if (!match) {
    st->socket_refused = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

bool IsToken(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool IsSafeHeaderValue(absl::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string FindHeader(const HeaderList& headers, absl::string_view name) {
  for (const auto& [k, v] : headers) {
    if (absl::EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

// A redirect target for an error message: no query or fragment (they may
// carry tokens), bounded length.
std::string SafeLocation(std::string location) {
  size_t cut = location.find_first_of("?#");
  if (cut != std::string::npos) location.resize(cut);
  if (location.size() > kMaxLocationChars) {
    location.resize(kMaxLocationChars);
    location += "...";
  }
  if (!IsSafeHeaderValue(location)) return "?";
  return location.empty() ? "(no Location)" : location;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

absl::Status Append(Slist& list, const std::string& entry) {
  curl_slist* next = curl_slist_append(list.get(), entry.c_str());
  if (next == nullptr) return absl::ResourceExhaustedError("curl_slist_append failed");
  list.release();
  list.reset(next);
  return absl::OkStatus();
}

// Everything one transfer needs that must outlive curl_easy_perform.
struct Transfer {
  std::string method;
  std::string url;
  Slist headers;
  Slist resolve;
  TransferState state;
};

// What curl reports once the transfer is over.
struct TransferInfo {
  CURLcode rc = CURLE_OK;
  long connects = 0;  // new connections opened
  long status = 0;    // HTTP status of the final response
  std::string content_type;
};

// Set-up: checks the request's method and headers, builds the header and
// resolve lists in `t`, and sets every option of the transfer on `c` (reset
// first). INVALID_ARGUMENT for a bad method or header, RESOURCE_EXHAUSTED
// when curl cannot allocate a list; `c` is untouched then.
absl::Status SetUp(CURL* c, const HttpRequest& request, const VettedTarget& target,
                   const EgressPolicyOptions& limits, const CurlHttpClientOptions& options,
                   Transfer* t) {
  t->method = absl::AsciiStrToUpper(request.method);
  if (!IsToken(t->method)) return absl::InvalidArgumentError("invalid HTTP method");

  if (!request.content_type.empty()) {
    if (!IsSafeHeaderValue(request.content_type)) {
      return absl::InvalidArgumentError("invalid Content-Type value");
    }
    IOB_RETURN_IF_ERROR(Append(t->headers, "Content-Type: " + request.content_type));
  }
  for (const auto& [name, value] : request.headers) {
    if (!IsToken(name) || !IsSafeHeaderValue(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid request header '", IsToken(name) ? name : "?", "'"));
    }
    for (absl::string_view reserved :
         {"host", "content-length", "transfer-encoding", "connection"}) {
      if (absl::EqualsIgnoreCase(name, reserved)) {
        return absl::InvalidArgumentError(
            absl::StrCat("request header '", name, "' is set by the client, not the caller"));
      }
    }
    IOB_RETURN_IF_ERROR(Append(t->headers, absl::StrCat(name, ": ", value)));
  }
  // No "Expect: 100-continue" round trip on large bodies.
  IOB_RETURN_IF_ERROR(Append(t->headers, "Expect:"));

  // Pin host:port to the vetted address; "-host:port" first drops any entry
  // an earlier transfer left in this handle's DNS cache.
  if (!target.host_is_ip_literal) {
    std::string ip = target.ip.family == IpAddress::Family::kV6
                         ? absl::StrCat("[", target.ip.ToString(), "]")
                         : target.ip.ToString();
    IOB_RETURN_IF_ERROR(Append(t->resolve, absl::StrCat("-", target.host, ":", target.port)));
    IOB_RETURN_IF_ERROR(Append(t->resolve, absl::StrCat(target.host, ":", target.port, ":", ip)));
  }

  t->state.max_body = limits.max_response_bytes;
  t->state.pinned = target.ip;
  curl_easy_reset(c);  // keeps live connections; drops every option of the last transfer

  t->url = target.Url();
  curl_easy_setopt(c, CURLOPT_URL, t->url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignore http(s)_proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(limits.connect_timeout)));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(limits.total_timeout)));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                   static_cast<curl_off_t>(limits.max_response_bytes));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!options.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  if (request.fresh_connection) curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
  if (t->resolve) curl_easy_setopt(c, CURLOPT_RESOLVE, t->resolve.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, &OpenSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &t->state);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t->state);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t->state);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, t->headers.get());

  if (t->method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (t->method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (t->method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, t->method.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  }
  return absl::OkStatus();
}

// Transfer: runs the transfer set up on `c`, reads what curl reports, and
// detaches `c` from the Transfer so the handle can be pooled.
TransferInfo Perform(CURL* c) {
  TransferInfo info;
  info.rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &info.connects);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &info.status);
  char* content_type = nullptr;
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &content_type);
  info.content_type = content_type != nullptr ? content_type : "";
  // Do not keep pointers into the caller's Transfer in a pooled handle.
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_RESOLVE, nullptr);
  return info;
}

// Classification: the curl code and HTTP status of a finished transfer as
// the response or the error HttpClient::Send documents. Takes the body and
// headers out of `st`.
absl::StatusOr<HttpResponse> Classify(const TransferInfo& info, const VettedTarget& target,
                                      const EgressPolicyOptions& limits, TransferState& st) {
  const std::string& host = target.host;
  if (st.socket_refused) {
    return absl::PermissionDeniedError(absl::StrCat("egress policy: connection to host '", host,
                                                    "' at an address other than the vetted ",
                                                    target.ip.ToString(), " refused"));
  }
  if (st.body_too_large || info.rc == CURLE_FILESIZE_EXCEEDED) {
    return absl::ResourceExhaustedError(
        absl::StrCat("response from host '", host, "' larger than ", st.max_body, " bytes"));
  }
  if (st.headers_too_large) {
    return absl::ResourceExhaustedError(absl::StrCat("response headers from host '", host,
                                                     "' larger than ", kMaxHeaderBytes, " bytes"));
  }
  switch (info.rc) {
    case CURLE_OK:
      break;
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(
          absl::StrCat("request to host '", host, "' timed out (connect ",
                       absl::FormatDuration(limits.connect_timeout), ", total ",
                       absl::FormatDuration(limits.total_timeout), ")"));
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return absl::InvalidArgumentError(
          absl::StrCat("request to host '", host, "' rejected: ", curl_easy_strerror(info.rc)));
    default:
      return absl::UnavailableError(
          absl::StrCat("request to host '", host, "' failed: ", curl_easy_strerror(info.rc)));
  }

  if (info.status >= 300 && info.status < 400 && info.status != 304) {
    return absl::PermissionDeniedError(
        absl::StrCat("egress policy: redirect refused (HTTP ", info.status, " to ",
                     SafeLocation(FindHeader(st.headers, "Location")), ")"));
  }

  HttpResponse response;
  response.status = static_cast<int>(info.status);
  response.body = std::move(st.body);
  response.content_type = info.content_type;
  response.headers = std::move(st.headers);
  return response;
}

}  // namespace

struct CurlHttpClient::Handle {
  CURL* easy = nullptr;
  Handle() : easy(curl_easy_init()) {}
  ~Handle() {
    if (easy != nullptr) curl_easy_cleanup(easy);
  }
};

CurlHttpClient::CurlHttpClient(EgressPolicy policy, CurlHttpClientOptions options)
    : policy_(std::move(policy)), options_(std::move(options)) {
  CurlGlobalInitOnce();
}

CurlHttpClient::~CurlHttpClient() = default;

std::unique_ptr<CurlHttpClient::Handle> CurlHttpClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      std::unique_ptr<Handle> h = std::move(idle_.back());
      idle_.pop_back();
      return h;
    }
  }
  return std::make_unique<Handle>();
}

void CurlHttpClient::Release(std::unique_ptr<Handle> handle) {
  absl::MutexLock lock(&mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_handles) {
    idle_.push_back(std::move(handle));
  }
}

long CurlHttpClient::connections_opened() const {
  absl::MutexLock lock(&mu_);
  return connections_opened_;
}

absl::StatusOr<HttpResponse> CurlHttpClient::Send(const HttpRequest& request) {
  IOB_ASSIGN_OR_RETURN(VettedTarget target, policy_.Vet(request.url, request.allowed_hosts));
  const EgressPolicyOptions& limits = policy_.options();
  Transfer transfer;
  std::unique_ptr<Handle> handle = Acquire();
  if (handle->easy == nullptr) return absl::ResourceExhaustedError("curl_easy_init failed");
  if (absl::Status st = SetUp(handle->easy, request, target, limits, options_, &transfer);
      !st.ok()) {
    Release(std::move(handle));
    return st;
  }
  const TransferInfo info = Perform(handle->easy);
  Release(std::move(handle));
  {
    absl::MutexLock lock(&mu_);
    connections_opened_ += info.connects;
  }
  return Classify(info, target, limits, transfer.state);
}

}  // namespace iob::http
