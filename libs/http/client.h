// Outbound HTTP for supplier-facing traffic. HttpClient is the small
// interface services depend on (tests substitute fakes); CurlHttpClient is
// the libcurl implementation that sends every request through the
// EgressPolicy: it vets the URL, pins the connection to the vetted address
// (CURLOPT_RESOLVE plus a socket-open check, so neither DNS rebinding nor an
// environment proxy can send it elsewhere), never follows redirects, bounds
// connect time, total time and response size, keeps TLS verification on,
// and reuses connections through a pool of curl easy handles.
#ifndef IOB_LIBS_HTTP_CLIENT_H_
#define IOB_LIBS_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/http/egress_policy.h"

namespace iob::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";  // GET, POST, PUT, DELETE, ...
  std::string url;
  std::string body;
  std::string content_type;  // sent as Content-Type when not empty
  HeaderList headers;        // extra request headers
  // Per-supplier host allow-list for EgressPolicy::Vet ("*.amazon.com");
  // empty = any public host.
  std::vector<std::string> allowed_hosts;
  // Open a new connection (CURLOPT_FRESH_CONNECT) instead of reusing a pooled
  // one. libcurl silently re-sends a request once when a reused keep-alive
  // connection dies before any answer; a retry after a transport error sets
  // this so it does not ride on a possibly half-dead connection. The new
  // connection is pooled afterwards as usual.
  bool fresh_connection = false;
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  HeaderList headers;  // of the final response, in arrival order
};

// Sends one HTTP request. Implementations are thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // Returns the response for any final status that is not a redirect
  // (1xx handled internally; 2xx, 4xx, 5xx returned as-is). Errors:
  //   PERMISSION_DENIED  "egress policy: ..." (refused URL, or a 3xx:
  //                      "egress policy: redirect refused (HTTP 302 to ...)")
  //   INVALID_ARGUMENT   malformed URL, method or header
  //   UNAVAILABLE        host unresolvable, connect refused/reset, TLS failure
  //   DEADLINE_EXCEEDED  DNS lookup over the policy's dns_timeout, connect
  //                      or total timeout
  //   RESOURCE_EXHAUSTED response larger than the policy's cap
  // Messages name the host, never the body, path, query or credentials.
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

struct CurlHttpClientOptions {
  // PEM bundle used instead of the system CA store (tests with their own
  // CA). Verification of peer and host name is always on.
  std::string ca_file;
  std::string user_agent = "iob/1";
  // Upper bound on idle easy handles (and so cached connections) kept.
  int max_idle_handles = 16;
};

class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(EgressPolicy policy, CurlHttpClientOptions options = {});
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  // See HttpClient::Send. Thread-safe: concurrent calls use separate easy
  // handles; sequential calls reuse a pooled handle and its open connection.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  // Number of new TCP connections opened so far (sum of
  // CURLINFO_NUM_CONNECTS); for tests and metrics. Thread-safe.
  long connections_opened() const;

  const EgressPolicy& policy() const { return policy_; }

 private:
  struct Handle;
  std::unique_ptr<Handle> Acquire();
  void Release(std::unique_ptr<Handle> handle);

  const EgressPolicy policy_;
  const CurlHttpClientOptions options_;
  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_ ABSL_GUARDED_BY(mu_);
  long connections_opened_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_CLIENT_H_
