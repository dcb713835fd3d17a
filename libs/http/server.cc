// cpp-httplib based HttpServer with body cap, timeouts and safe errors.
#include "libs/http/server.h"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace iob::http {
namespace {

constexpr size_t kMaxMultipartParts = 256;

void SetError(httplib::Response& res, int status, std::string_view text) {
  res.status = status;
  res.set_content(std::to_string(status) + " " + std::string(text) + "\n",
                  "text/plain; charset=utf-8");
}

std::string_view Reason(int status) {
  switch (status) {
    case 400:
      return "bad request";
    case 404:
      return "not found";
    case 405:
      return "method not allowed";
    case 408:
      return "request timeout";
    case 413:
      return "request body too large";
    case 414:
      return "URI too long";
    case 416:
      return "range not satisfiable";
    case 431:
      return "request headers too large";
    case 500:
      return "internal server error";
    case 503:
      return "service unavailable";
    default:
      return "error";
  }
}

std::pair<time_t, time_t> SecUsec(absl::Duration d) {
  if (d < absl::ZeroDuration()) d = absl::ZeroDuration();
  int64_t sec = absl::ToInt64Seconds(d);
  int64_t usec = absl::ToInt64Microseconds(d - absl::Seconds(sec));
  return {static_cast<time_t>(sec), static_cast<time_t>(usec)};
}

bool IsFormUrlEncoded(const httplib::Request& req) {
  return absl::StartsWith(absl::AsciiStrToLower(req.get_header_value("Content-Type")),
                          "application/x-www-form-urlencoded");
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

HttpServer::~HttpServer() { Stop(); }

HttpServer& HttpServer::Get(const std::string& pattern, Handler handler) {
  server_->Get(pattern, std::move(handler));
  return *this;
}

HttpServer& HttpServer::Post(const std::string& pattern, Handler handler) {
  // Registered as a content-reader handler so that the body is read under
  // our cap for every framing (httplib itself caps only Content-Length
  // bodies and limits urlencoded forms to 8 KiB).
  server_->Post(pattern, [this, handler = std::move(handler)](
                             const httplib::Request& req, httplib::Response& res,
                             const httplib::ContentReader& reader) {
    ServeWithBody(handler, req, res, reader);
  });
  return *this;
}

void HttpServer::ServeWithBody(const Handler& handler, const httplib::Request& req,
                               httplib::Response& res, const httplib::ContentReader& reader) const {
  const size_t max = options_.max_body_bytes;
  size_t total = 0;
  bool too_large = false;
  std::string body;
  httplib::MultipartFormDataItems parts;
  bool ok;
  // Past the cap we keep reading and discard, so the next request on this
  // connection starts where it should.
  if (req.is_multipart_form_data()) {
    ok = reader(
        [&](const httplib::MultipartFormData& part) {
          if (too_large) return true;
          if (parts.size() >= kMaxMultipartParts) {
            too_large = true;
            parts.clear();
            return true;
          }
          parts.push_back(part);
          return true;
        },
        [&](const char* data, size_t n) {
          total += n;
          if (too_large) return true;
          if (total > max) {
            too_large = true;
            parts.clear();
            return true;
          }
          if (!parts.empty()) parts.back().content.append(data, n);
          return true;
        });
  } else {
    ok = reader([&](const char* data, size_t n) {
      total += n;
      if (too_large) return true;
      if (total > max) {
        too_large = true;
        std::string().swap(body);
        return true;
      }
      body.append(data, n);
      return true;
    });
  }
  // httplib sets 413 itself when a Content-Length exceeds the payload limit.
  if (too_large || res.status == 413) {
    SetError(res, 413, "request body too large");
    return;
  }
  if (!ok) {
    SetError(res, 400, "malformed request body");
    return;
  }
  httplib::Request with_body = req;
  with_body.body = std::move(body);
  for (auto& part : parts) with_body.files.emplace(part.name, std::move(part));
  if (IsFormUrlEncoded(req)) httplib::detail::parse_query_text(with_body.body, with_body.params);
  handler(with_body, res);
}

absl::StatusOr<int> HttpServer::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return absl::FailedPreconditionError("HttpServer already started");
  started_ = true;

  httplib::Server& s = *server_;
  // Catch-alls, registered last: bodies sent to unknown paths are drained
  // under the cap too, then answered 404.
  auto not_found = [this](const httplib::Request& req, httplib::Response& res,
                          const httplib::ContentReader& reader) {
    ServeWithBody(
        [](const httplib::Request&, httplib::Response& r) { SetError(r, 404, "not found"); }, req,
        res, reader);
  };
  s.Post(".*", not_found);
  s.Put(".*", not_found);
  s.Patch(".*", not_found);
  s.Delete(".*", not_found);

  // Bodies on other methods: only with a Content-Length (capped by httplib).
  s.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    bool has_body_methods = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                            req.method == "DELETE";
    if (!has_body_methods && req.has_header("Transfer-Encoding")) {
      SetError(res, 400, "request body not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // httplib's default also sets SO_REUSEPORT, which lets a second server
  // (or another process of ours) silently share the port: only REUSEADDR.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_payload_max_length(options_.max_body_bytes);
  auto [rs, rus] = SecUsec(options_.read_timeout);
  s.set_read_timeout(rs, rus);
  auto [ws, wus] = SecUsec(options_.write_timeout);
  s.set_write_timeout(ws, wus);
  s.set_keep_alive_timeout(
      std::max<time_t>(1, static_cast<time_t>(absl::ToInt64Seconds(options_.keep_alive_timeout))));
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  // httplib takes ownership of the queue it gets from this factory.
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.headers.clear();
    SetError(res, 500, "internal server error");
  });
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        SetError(res, res.status, Reason(res.status));
        return httplib::Server::HandlerResponse::Handled;
      }));

  int port = options_.port == 0
                 ? s.bind_to_any_port(options_.host)
                 : (s.bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("could not bind HTTP server to ", options_.host, ":", options_.port));
  }
  thread_ = std::thread([&s] { s.listen_after_bind(); });
  // stop() is a no-op until the accept loop runs: wait for it.
  for (int i = 0; i < 5000 && !s.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!s.is_running()) {
    stopped_ = true;
    thread_.detach();
    return absl::UnavailableError("HTTP server did not start listening");
  }
  port_.store(port);
  return port;
}

void HttpServer::Stop() {
  absl::MutexLock lock(&mu_);
  if (!started_ || stopped_) return;
  stopped_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace iob::http
