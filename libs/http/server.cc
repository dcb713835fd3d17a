// libmicrohttpd based HttpServer: an epoll thread does all socket I/O, a
// fixed pool of workers runs handlers on complete requests (the connection
// is suspended meanwhile), a sweeper enforces the whole-request deadline.
#include "libs/http/server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <exception>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace iob::http {
namespace {

// A body overrun up to this many bytes past the cap is read and dropped so
// the 413 arrives intact and the connection stays usable; beyond it the
// connection is closed after the 413.
constexpr size_t kMaxDrainBytes = 64 * 1024;
// Buffered bytes of a streamed response before its producer waits.
constexpr size_t kStreamBufferBytes = 256 * 1024;
constexpr absl::Duration kSweepInterval = absl::Milliseconds(100);

absl::string_view Reason(int status) {
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
    case 415:
      return "unsupported content encoding";
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

void SetError(httplib::Response& res, int status) {
  res.status = status;
  res.set_content(absl::StrCat(status, " ", Reason(status), "\n"), "text/plain; charset=utf-8");
}

bool IsFormUrlEncoded(const httplib::Request& req) {
  return absl::StartsWith(absl::AsciiStrToLower(req.get_header_value("Content-Type")),
                          "application/x-www-form-urlencoded");
}

unsigned int WholeSeconds(absl::Duration d) {
  return static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(d, absl::Seconds(1)))));
}

// Fixed pool of handler threads.
class WorkerPool {
 public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < std::max(1, n); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() { Shutdown(); }

  // Queues `task`; false once Shutdown began (the task is not run).
  bool Submit(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    if (closed_) return false;
    tasks_.push_back(std::move(task));
    return true;
  }

  // Runs what is queued, then joins the threads. Idempotent.
  void Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
    }
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](WorkerPool* p)
                 ABSL_EXCLUSIVE_LOCKS_REQUIRED(p->mu_) { return p->closed_ || !p->tasks_.empty(); },
            this));
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  absl::Mutex mu_;
  std::deque<std::function<void()>> tasks_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// A response body produced by a content provider on a worker and sent by
// the epoll thread. The reader suspends the connection when it has nothing
// to send; the producer resumes it.
class Stream {
 public:
  Stream(MHD_Connection* connection, const std::atomic<bool>* stopping)
      : connection_(connection), stopping_(stopping) {}

  // Producer side (worker). False when the client is gone or the server
  // is stopping.
  bool Write(const char* data, size_t n) {
    absl::MutexLock lock(&mu_);
    // stopping_ is not under mu_: look at it again now and then.
    while (!mu_.AwaitWithTimeout(absl::Condition(
                                     +[](Stream* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) {
                                       return s->closed_ ||
                                              s->buffer_.size() < kStreamBufferBytes ||
                                              s->stopping_->load();
                                     },
                                     this),
                                 kSweepInterval)) {
    }
    if (closed_ || stopping_->load()) return false;
    buffer_.append(data, n);
    WakeReaderLocked();
    return true;
  }
  bool Writable() {
    absl::MutexLock lock(&mu_);
    return !closed_ && !stopping_->load();
  }
  void Finish(bool ok) {
    absl::MutexLock lock(&mu_);
    if (ok) {
      done_ = true;
    } else {
      failed_ = true;
    }
    WakeReaderLocked();
  }

  // Reader side (epoll thread), an MHD_ContentReaderCallback.
  static ssize_t Read(void* cls, uint64_t, char* buf, size_t max) {
    Stream* s = static_cast<std::shared_ptr<Stream>*>(cls)->get();
    absl::MutexLock lock(&s->mu_);
    if (!s->buffer_.empty()) {
      size_t n = std::min(max, s->buffer_.size());
      std::memcpy(buf, s->buffer_.data(), n);
      s->buffer_.erase(0, n);
      return static_cast<ssize_t>(n);
    }
    if (s->failed_) return MHD_CONTENT_READER_END_WITH_ERROR;
    if (s->done_) return MHD_CONTENT_READER_END_OF_STREAM;
    s->suspended_ = true;
    MHD_suspend_connection(s->connection_);
    return 0;
  }
  // MHD_ContentReaderFreeCallback: the response is gone with its connection.
  static void Free(void* cls) {
    auto* holder = static_cast<std::shared_ptr<Stream>*>(cls);
    {
      Stream* s = holder->get();
      absl::MutexLock lock(&s->mu_);
      s->closed_ = true;
    }
    delete holder;
  }

 private:
  void WakeReaderLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (suspended_) {
      suspended_ = false;
      MHD_resume_connection(connection_);
    }
  }

  MHD_Connection* const connection_;
  const std::atomic<bool>* const stopping_;
  absl::Mutex mu_;
  std::string buffer_ ABSL_GUARDED_BY(mu_);
  bool suspended_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool failed_ ABSL_GUARDED_BY(mu_) = false;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

// Per connection: its socket and the deadline of the request in progress.
struct ConnState {
  int fd = -1;
  absl::Time deadline = absl::InfiniteFuture();
};

// Per request (MHD's con_cls).
struct RequestState {
  httplib::Request req;
  int early_status = 0;  // answer without running a handler (4xx)
  bool too_large = false;
  size_t received = 0;
  bool dispatched = false;
  // Set by the worker before it resumes the connection.
  absl::Mutex mu;
  MHD_Response* response ABSL_GUARDED_BY(mu) = nullptr;
  int status ABSL_GUARDED_BY(mu) = 0;
};

}  // namespace

class HttpServer::Engine {
 public:
  Engine(const HttpServerOptions& options, const std::vector<Route>& routes)
      : options_(options), routes_(routes), workers_(options.threads) {}

  // Starts the daemon on the bound socket `listen_fd` (ownership passes).
  absl::Status Start(int listen_fd, bool ipv6, int port) {
    port_ = port;
    unsigned int flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
    if (ipv6) flags |= MHD_USE_IPv6;
    daemon_ =
        MHD_start_daemon(flags, 0, nullptr, nullptr, &Engine::OnRequest, this,
                         MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_CONNECTION_TIMEOUT,
                         WholeSeconds(options_.keep_alive_timeout), MHD_OPTION_CONNECTION_LIMIT,
                         static_cast<unsigned int>(std::max(1, options_.max_connections)),
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                         static_cast<unsigned int>(std::max(1, options_.max_connections_per_ip)),
                         MHD_OPTION_NOTIFY_CONNECTION, &Engine::OnConnection, this,
                         MHD_OPTION_NOTIFY_COMPLETED, &Engine::OnCompleted, this,
                         MHD_OPTION_URI_LOG_CALLBACK, &Engine::OnRequestLine, this, MHD_OPTION_END);
    if (daemon_ == nullptr) {
      close(listen_fd);
      return absl::UnavailableError("HTTP server did not start listening");
    }
    sweeper_ = std::thread([this] { Sweep(); });
    return absl::OkStatus();
  }

  // Stops accepting, lets in-flight handlers and streams finish, then closes
  // every connection.
  void Stop() {
    if (daemon_ == nullptr) return;
    int fd = MHD_quiesce_daemon(daemon_);
    if (fd >= 0) close(fd);
    stopping_.store(true);
    workers_.Shutdown();  // handlers done: every suspended connection resumed
    {
      absl::MutexLock lock(&conns_mu_);
      sweeper_stop_ = true;
    }
    sweeper_.join();
    MHD_stop_daemon(daemon_);
    daemon_ = nullptr;
  }

 private:
  // MHD_NotifyConnectionCallback.
  static void OnConnection(void* cls, MHD_Connection* connection, void** socket_context,
                           MHD_ConnectionNotificationCode code) {
    auto* self = static_cast<Engine*>(cls);
    absl::MutexLock lock(&self->conns_mu_);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* c = new ConnState;
      const MHD_ConnectionInfo* info =
          MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
      c->fd = info != nullptr ? info->connect_fd : -1;
      c->deadline = absl::Now() + self->options_.read_timeout;
      self->conns_.insert(c);
      *socket_context = c;
    } else if (*socket_context != nullptr) {
      // Closed: called before MHD closes the socket, so the sweeper never
      // touches a reused descriptor.
      auto* c = static_cast<ConnState*>(*socket_context);
      self->conns_.erase(c);
      delete c;
      *socket_context = nullptr;
    }
  }

  ConnState* ConnOf(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != nullptr ? static_cast<ConnState*>(info->socket_context) : nullptr;
  }

  void SetDeadline(MHD_Connection* connection, absl::Time deadline, bool only_earlier) {
    absl::MutexLock lock(&conns_mu_);
    ConnState* c = ConnOf(connection);
    if (c == nullptr) return;
    c->deadline = only_earlier ? std::min(c->deadline, deadline) : deadline;
  }

  // MHD's URI log callback: the request line has arrived. Its return value
  // becomes the request's con_cls.
  static void* OnRequestLine(void* cls, const char*, MHD_Connection* connection) {
    auto* self = static_cast<Engine*>(cls);
    self->SetDeadline(connection, absl::Now() + self->options_.read_timeout, true);
    return new RequestState;
  }

  // MHD_RequestCompletedCallback: the response is sent (or the request
  // failed); a kept-alive connection waits for its next request.
  static void OnCompleted(void* cls, MHD_Connection* connection, void** con_cls,
                          MHD_RequestTerminationCode) {
    auto* self = static_cast<Engine*>(cls);
    auto* state = static_cast<RequestState*>(*con_cls);
    if (state != nullptr) {
      absl::MutexLock lock(&state->mu);
      if (state->response != nullptr) MHD_destroy_response(state->response);
      state->response = nullptr;
    }
    delete state;
    *con_cls = nullptr;
    self->SetDeadline(connection,
                      absl::Now() + self->options_.keep_alive_timeout + self->options_.read_timeout,
                      false);
  }

  // Closes connections whose request missed its deadline.
  void Sweep() {
    absl::MutexLock lock(&conns_mu_);
    while (!sweeper_stop_) {
      conns_mu_.AwaitWithTimeout(absl::Condition(&sweeper_stop_), kSweepInterval);
      const absl::Time now = absl::Now();
      for (ConnState* c : conns_) {
        if (c->deadline <= now && c->fd >= 0) {
          shutdown(c->fd, SHUT_RDWR);
          c->deadline = absl::InfiniteFuture();
        }
      }
    }
  }

  static MHD_Result Queue(MHD_Connection* connection, int status, const httplib::Response& res) {
    MHD_Response* r = MHD_create_response_from_buffer(
        res.body.size(), const_cast<char*>(res.body.data()), MHD_RESPMEM_MUST_COPY);
    if (r == nullptr) return MHD_NO;
    AddHeaders(r, res);
    MHD_Result ok = MHD_queue_response(connection, static_cast<unsigned int>(status), r);
    MHD_destroy_response(r);
    return ok;
  }

  static void AddHeaders(MHD_Response* r, const httplib::Response& res) {
    for (const auto& [k, v] : res.headers) {
      if (absl::EqualsIgnoreCase(k, "Content-Length") ||
          absl::EqualsIgnoreCase(k, "Transfer-Encoding") ||
          absl::EqualsIgnoreCase(k, "Connection")) {
        continue;
      }
      MHD_add_response_header(r, k.c_str(), v.c_str());
    }
  }

  static MHD_Result QueueError(MHD_Connection* connection, int status) {
    httplib::Response res;
    SetError(res, status);
    return Queue(connection, status, res);
  }

  // MHD_AccessHandlerCallback: called once the headers are in, once per
  // body piece, once at the end of the body, and once more after a worker
  // resumed the connection.
  static MHD_Result OnRequest(void* cls, MHD_Connection* connection, const char* url,
                              const char* method, const char* version, const char* upload_data,
                              size_t* upload_data_size, void** con_cls) {
    auto* self = static_cast<Engine*>(cls);
    auto* state = static_cast<RequestState*>(*con_cls);
    if (state == nullptr) return MHD_NO;  // the URI log callback always sets it
    if (state->dispatched) {
      absl::MutexLock lock(&state->mu);
      if (state->response == nullptr) return MHD_NO;
      return MHD_queue_response(connection, static_cast<unsigned int>(state->status),
                                state->response);
    }
    httplib::Request& req = state->req;
    if (req.method.empty()) return self->BeginRequest(connection, state, url, method, version);
    if (*upload_data_size > 0) {
      state->received += *upload_data_size;
      if (state->received > self->options_.max_body_bytes) {
        state->too_large = true;
        std::string().swap(req.body);
        if (state->received > self->options_.max_body_bytes + kMaxDrainBytes) {
          *upload_data_size = 0;
          return QueueError(connection, 413);  // MHD closes after sending
        }
      } else {
        req.body.append(upload_data, *upload_data_size);
      }
      *upload_data_size = 0;
      return MHD_YES;
    }
    if (state->too_large) return QueueError(connection, 413);
    return self->Dispatch(connection, state);
  }

  MHD_Result BeginRequest(MHD_Connection* connection, RequestState* state, const char* url,
                          const char* method, const char* version) {
    httplib::Request& req = state->req;
    req.method = method;
    req.path = url;
    req.target = url;
    req.version = version;
    MHD_get_connection_values(
        connection, MHD_HEADER_KIND,
        +[](void* h, MHD_ValueKind, const char* k, const char* v) -> MHD_Result {
          static_cast<httplib::Headers*>(h)->emplace(k, v != nullptr ? v : "");
          return MHD_YES;
        },
        &req.headers);
    MHD_get_connection_values(
        connection, MHD_GET_ARGUMENT_KIND,
        +[](void* p, MHD_ValueKind, const char* k, const char* v) -> MHD_Result {
          static_cast<httplib::Params*>(p)->emplace(k, v != nullptr ? v : "");
          return MHD_YES;
        },
        &req.params);
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info != nullptr && info->client_addr != nullptr) {
      char host[NI_MAXHOST] = {};
      char serv[NI_MAXSERV] = {};
      socklen_t len =
          info->client_addr->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
      if (getnameinfo(info->client_addr, len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
        req.remote_addr = host;
        req.remote_port = std::atoi(serv);
      }
    }
    req.local_addr = options_.host;
    req.local_port = port_;

    const bool body_method = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" ||
                             req.method == "DELETE";
    if (!body_method && req.has_header("Transfer-Encoding")) return QueueError(connection, 400);
    std::string encoding = absl::AsciiStrToLower(req.get_header_value("Content-Encoding"));
    if (!encoding.empty() && encoding != "identity") return QueueError(connection, 415);
    if (req.has_header("Content-Length")) {
      const std::string cl = req.get_header_value("Content-Length");
      char* end = nullptr;
      unsigned long long n = std::strtoull(cl.c_str(), &end, 10);
      if (end != cl.c_str() + cl.size() || cl.empty()) return QueueError(connection, 400);
      if (n > options_.max_body_bytes) return QueueError(connection, 413);
      req.body.reserve(static_cast<size_t>(n));
    }
    return MHD_YES;
  }

  const Route* FindRoute(httplib::Request& req) const {
    const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
    for (const Route& r : routes_) {
      // `matches` refers into req.path, which stays put from here on.
      if (r.method == method && std::regex_match(req.path, req.matches, r.pattern)) return &r;
    }
    return nullptr;
  }

  MHD_Result Dispatch(MHD_Connection* connection, RequestState* state) {
    httplib::Request& req = state->req;
    if (IsFormUrlEncoded(req)) httplib::detail::parse_query_text(req.body, req.params);
    const Route* route = FindRoute(req);
    if (route == nullptr) return QueueError(connection, 404);
    SetDeadline(connection, absl::InfiniteFuture(), false);  // handler time is not the client's
    state->dispatched = true;
    MHD_suspend_connection(connection);
    const Handler* handler = &route->handler;
    if (!workers_.Submit(
            [this, connection, state, handler] { Run(connection, state, *handler); })) {
      {
        absl::MutexLock lock(&state->mu);
        httplib::Response res;
        SetError(res, 503);
        state->status = 503;
        state->response = MHD_create_response_from_buffer(
            res.body.size(), const_cast<char*>(res.body.data()), MHD_RESPMEM_MUST_COPY);
      }
      MHD_resume_connection(connection);
    }
    return MHD_YES;
  }

  // On a worker: runs the handler, hands the response to the epoll thread,
  // then feeds a streamed body if the handler set a content provider.
  void Run(MHD_Connection* connection, RequestState* state, const Handler& handler) {
    httplib::Response res;
    try {
      handler(state->req, res);
    } catch (...) {
      res = httplib::Response();
      SetError(res, 500);
    }
    if (res.status == -1) res.status = 200;
    if (res.status >= 400 && res.body.empty() && !res.content_provider_) SetError(res, res.status);

    std::shared_ptr<Stream> stream;
    MHD_Response* r;
    if (res.content_provider_) {
      stream = std::make_shared<Stream>(connection, &stopping_);
      const bool sized = !res.is_chunked_content_provider_ && res.content_length_ > 0;
      r = MHD_create_response_from_callback(sized ? res.content_length_ : MHD_SIZE_UNKNOWN,
                                            16 * 1024, &Stream::Read,
                                            new std::shared_ptr<Stream>(stream), &Stream::Free);
    } else {
      r = MHD_create_response_from_buffer(res.body.size(), const_cast<char*>(res.body.data()),
                                          MHD_RESPMEM_MUST_COPY);
    }
    if (r != nullptr) AddHeaders(r, res);
    {
      absl::MutexLock lock(&state->mu);
      state->status = res.status;
      state->response = r;
    }
    // From here on `state` may be gone (the request can complete at once).
    MHD_resume_connection(connection);
    if (stream == nullptr || r == nullptr) return;

    httplib::DataSink sink;
    size_t offset = 0;
    bool done = false;
    sink.write = [&](const char* d, size_t n) {
      if (!stream->Write(d, n)) return false;
      offset += n;
      return true;
    };
    sink.is_writable = [&] { return stream->Writable(); };
    sink.done = [&] { done = true; };
    bool ok = true;
    try {
      if (!res.is_chunked_content_provider_ && res.content_length_ > 0) {
        while (ok && offset < res.content_length_) {
          ok = res.content_provider_(offset, res.content_length_ - offset, sink);
        }
      } else {
        while (ok && !done) ok = res.content_provider_(offset, 0, sink);
      }
    } catch (...) {
      ok = false;
    }
    res.content_provider_success_ = ok;
    stream->Finish(ok);
  }

  const HttpServerOptions& options_;
  const std::vector<Route>& routes_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  WorkerPool workers_;
  MHD_Daemon* daemon_ = nullptr;
  absl::Mutex conns_mu_;
  std::set<ConnState*> conns_ ABSL_GUARDED_BY(conns_mu_);
  bool sweeper_stop_ ABSL_GUARDED_BY(conns_mu_) = false;
  std::thread sweeper_;
};

HttpServer::HttpServer(HttpServerOptions options) : options_(std::move(options)) {}

HttpServer::~HttpServer() { Stop(); }

HttpServer& HttpServer::Get(const std::string& pattern, Handler handler) {
  routes_.push_back(Route{"GET", std::regex(pattern), std::move(handler)});
  return *this;
}

HttpServer& HttpServer::Post(const std::string& pattern, Handler handler) {
  routes_.push_back(Route{"POST", std::regex(pattern), std::move(handler)});
  return *this;
}

absl::StatusOr<int> HttpServer::Start() {
  absl::MutexLock lock(&mu_);
  if (started_) return absl::FailedPreconditionError("HttpServer already started");
  started_ = true;
  const std::string where = absl::StrCat(options_.host, ":", options_.port);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (getaddrinfo(options_.host.c_str(), std::to_string(options_.port).c_str(), &hints, &res) !=
          0 ||
      res == nullptr) {
    return absl::UnavailableError(absl::StrCat("could not bind HTTP server to ", where));
  }
  int fd = -1;
  bool ipv6 = false;
  for (addrinfo* ai = res; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    // Only REUSEADDR: never SO_REUSEPORT, which would let a second server
    // silently share the port.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
      close(fd);
      fd = -1;
      continue;
    }
    ipv6 = ai->ai_family == AF_INET6;
  }
  freeaddrinfo(res);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("could not bind HTTP server to ", where));
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  const int port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  engine_ = std::make_unique<Engine>(options_, routes_);
  absl::Status s = engine_->Start(fd, ipv6, port);
  if (!s.ok()) {
    engine_.reset();
    stopped_ = true;
    return s;
  }
  port_.store(port);
  return port;
}

void HttpServer::Stop() {
  absl::MutexLock lock(&mu_);
  if (!started_ || stopped_) return;
  stopped_ = true;
  if (engine_ != nullptr) engine_->Stop();
}

}  // namespace iob::http
