// Inbound HTTP edge shared by the services (punchout cart form posts,
// supplier-initiated cXML to dispatch and invoice intake) and the supplier
// simulator: a cpp-httplib server with a request body cap, read/write
// timeouts, a fixed thread pool and safe error responses.
//
// Behaviour:
//   - Request bodies larger than max_body_bytes get 413 whether sent with
//     Content-Length or chunked; the body is read (and discarded) to the end
//     so the connection stays in sync. POST handlers see the whole body in
//     req.body; form-urlencoded bodies are also decoded into req.params (no
//     8 KiB form limit); multipart bodies into req.files.
//   - Unknown paths get 404; a handler that throws gets 500 with a generic
//     body (the exception text is never sent).
//   - Error responses without a body get a short plain-text body.
#ifndef IOB_LIBS_HTTP_SERVER_H_
#define IOB_LIBS_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iob::http {

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // bind address; "::1", "0.0.0.0" as needed
  int port = 0;                    // 0 = pick a free port
  size_t max_body_bytes = 1024 * 1024;
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration write_timeout = absl::Seconds(10);
  absl::Duration keep_alive_timeout = absl::Seconds(5);
  int threads = 8;
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
  // Reads the body of a POST through `reader` under the size cap, then calls
  // `handler` with a copy of `req` that carries the body.
  void ServeWithBody(const Handler& handler, const httplib::Request& req, httplib::Response& res,
                     const httplib::ContentReader& reader) const;

  const HttpServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<int> port_{0};
  absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_SERVER_H_
