// Inbound HTTP edge shared by the services (punchout cart form posts,
// supplier-initiated cXML to dispatch and invoice intake) and the supplier
// simulator. Built on libmicrohttpd: one epoll thread reads every connection
// without blocking, and only a complete request (headers and body) takes one
// of the `threads` handler workers, so slow or idle clients cannot starve
// the handlers. Handlers keep cpp-httplib's Request/Response types.
//
// Behaviour:
//   - Whole-request deadline: a request's headers and body must arrive within
//     read_timeout of its first byte (of the connection, or of the end of
//     the previous request plus keep_alive_timeout); otherwise the
//     connection is closed. A connection silent for keep_alive_timeout
//     (idle keep-alive, or a stalled client) is closed too.
//   - Request bodies larger than max_body_bytes get 413 whether sent with
//     Content-Length or chunked; a small overrun is drained so the
//     connection stays usable, a large one ends the connection after the
//     413. Bodies with a Content-Encoding other than identity get 415 (so
//     nothing is ever inflated). POST handlers see the whole body in
//     req.body; form-urlencoded bodies are also decoded into req.params.
//     Multipart bodies are passed raw in req.body (req.files stays empty).
//   - At most max_connections connections, and max_connections_per_ip from
//     one client address; further connections are closed on accept.
//   - Unknown paths get 404; a handler that throws gets 500 with a generic
//     body (the exception text is never sent).
//   - Error responses without a body get a short plain-text body.
//   - Response content providers (set_content_provider, chunked ones) are
//     run on the handler's worker and streamed to the client.
#ifndef IOB_LIBS_HTTP_SERVER_H_
#define IOB_LIBS_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iob::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // bind address; "::1", "0.0.0.0" as needed
  int port = 0;                    // 0 = pick a free port
  size_t max_body_bytes = 1024 * 1024;
  // Whole-request deadline (headers and body), see above.
  absl::Duration read_timeout = absl::Seconds(10);
  // Inactivity limit of a connection (rounded up to whole seconds); also
  // closes a client that stops reading a response.
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  int threads = 8;                  // handler workers
  int max_connections = 1000;       // open connections in total
  int max_connections_per_ip = 64;  // open connections from one client address
};

class HttpServer {
 public:
  // Handlers run on pool threads, concurrently; they must be thread-safe.
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit HttpServer(HttpServerOptions options = {});
  // Stops the server (see Stop).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Register a handler for a path regex (httplib syntax, e.g. "/punchout/(\\w+)").
  // Call before Start(); earlier registrations win. Not thread-safe.
  HttpServer& Get(const std::string& pattern, Handler handler);
  HttpServer& Post(const std::string& pattern, Handler handler);

  // Binds options.host:options.port and serves on a background thread.
  // Returns the bound port. Errors: FAILED_PRECONDITION if already started,
  // UNAVAILABLE if the address cannot be bound or the server does not come
  // up. Call at most once.
  absl::StatusOr<int> Start();

  // Stops accepting, finishes in-flight requests and joins the threads.
  // Idempotent; safe to call from any thread except a handler.
  void Stop();

  // Port passed back by Start(), or 0.
  int port() const { return port_.load(); }
  // The bind address (options.host).
  const std::string& host() const { return options_.host; }

 private:
  struct Route {
    std::string method;  // "GET" (also serves HEAD) or "POST"
    std::regex pattern;
    Handler handler;
  };
  class Engine;  // the libmicrohttpd daemon, workers and deadlines (server.cc)

  const HttpServerOptions options_;
  std::vector<Route> routes_;
  std::unique_ptr<Engine> engine_;
  std::atomic<int> port_{0};
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_SERVER_H_
