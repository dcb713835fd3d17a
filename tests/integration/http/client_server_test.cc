// Integration tests for libs/http: CurlHttpClient against real HttpServers
// and raw listening sockets on loopback. Refusals are checked to happen
// before any connection: the would-be target is a listening socket that must
// have no pending connection afterwards. Only 127.0.0.1 / [::1] are used.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/http/client.h"
#include "libs/http/egress_policy.h"
#include "libs/http/server.h"

namespace iob::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

EgressPolicyOptions Opts(std::vector<std::string> plain_http_hosts,
                         std::vector<std::string> private_allow = {}) {
  EgressPolicyOptions o;
  o.plain_http_hosts = std::move(plain_http_hosts);
  o.private_allow = std::move(private_allow);
  return o;
}

// A bare listening socket that never accepts: connections a client opens
// stay in its backlog, so PendingConnections() tells whether anyone tried.
class TcpProbe {
 public:
  // Binds `address` ("127.0.0.1" or "::1") on a free port; ok() is false
  // when that is impossible (e.g. no IPv6 loopback in the sandbox).
  explicit TcpProbe(const std::string& address) {
    bool v6 = address.find(':') != std::string::npos;
    fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    sockaddr_storage ss{};
    socklen_t len;
    if (v6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
      len = sizeof(*a);
    } else {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      inet_pton(AF_INET, address.c_str(), &a->sin_addr);
      len = sizeof(*a);
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0 || listen(fd_, 16) != 0) {
      Close();
      return;
    }
    getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = v6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
               : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  ~TcpProbe() { Close(); }

  bool ok() const { return fd_ >= 0; }
  int port() const { return port_; }

  // Accepts (and closes) everything queued; returns how many there were.
  int PendingConnections() {
    int n = 0;
    for (;;) {
      int c = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) break;
      close(c);
      ++n;
    }
    return n;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

class MapResolver : public Resolver {
 public:
  explicit MapResolver(std::map<std::string, std::string> table) : table_(std::move(table)) {}
  absl::StatusOr<std::vector<IpAddress>> Resolve(std::string_view host) const override {
    auto it = table_.find(std::string(host));
    if (it == table_.end()) return absl::UnavailableError("unknown test host");
    return std::vector<IpAddress>{*ParseIpLiteral(it->second)};
  }

 private:
  std::map<std::string, std::string> table_;
};

EgressPolicy MakePolicy(EgressPolicyOptions options) {
  return EgressPolicy(std::move(options),
                      std::make_unique<MapResolver>(std::map<std::string, std::string>{
                          {"sim.test", "127.0.0.1"}, {"rebind.test", "127.0.0.1"}}));
}

// A server with the handlers the tests use; counts requests and records the
// client port of each /hello so tests can tell connections apart.
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = Defaults()) : server_(options) {
    server_.Get("/hello", [this](const httplib::Request& req, httplib::Response& res) {
      {
        absl::MutexLock lock(&mu_);
        remote_ports_.push_back(req.remote_port);
        host_headers_.push_back(req.get_header_value("Host"));
      }
      res.set_content("hello", "text/plain");
    });
    server_.Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
      res.set_header("X-Seen-Header", req.get_header_value("X-Test"));
      res.set_content(req.body, req.get_header_value("Content-Type"));
    });
    server_.Post("/form", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(absl::StrCat(req.get_param_value("cxml-urlencoded").size()), "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(5000, 'x'), "text/plain");
    });
    server_.Get("/big-chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t, httplib::DataSink& sink) {
        std::string block(1000, 'y');
        for (int i = 0; i < 5; ++i) sink.write(block.data(), block.size());
        sink.done();
        return true;
      });
    });
    server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
      release_slow_.WaitForNotificationWithTimeout(absl::Seconds(10));
      res.set_content("late", "text/plain");
    });
    server_.Get("/work", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      res.set_content("done", "text/plain");
    });
    server_.Get("/throw", [](const httplib::Request&, httplib::Response&) {
      throw std::runtime_error("secret detail from the handler");
    });
    server_.Get("/redirect", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 302;
      res.set_header("Location", redirect_to_);
    });
  }
  ~TestServer() { ReleaseSlow(); }

  static HttpServerOptions Defaults() {
    HttpServerOptions o;
    o.keep_alive_timeout = absl::Seconds(1);
    return o;
  }

  int Start() {
    auto port = server_.Start();
    EXPECT_TRUE(port.ok()) << port.status();
    return port.value_or(0);
  }
  void ReleaseSlow() {
    if (!release_slow_.HasBeenNotified()) release_slow_.Notify();
  }
  std::vector<int> remote_ports() {
    absl::MutexLock lock(&mu_);
    return remote_ports_;
  }
  std::vector<std::string> host_headers() {
    absl::MutexLock lock(&mu_);
    return host_headers_;
  }
  void set_redirect_to(std::string url) { redirect_to_ = std::move(url); }
  HttpServer& server() { return server_; }

 private:
  HttpServer server_;
  absl::Notification release_slow_;
  absl::Mutex mu_;
  std::vector<int> remote_ports_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> host_headers_ ABSL_GUARDED_BY(mu_);
  std::string redirect_to_;
};

HttpRequest Get(const std::string& url) {
  HttpRequest r;
  r.method = "GET";
  r.url = url;
  return r;
}

void ExpectCode(const absl::StatusOr<HttpResponse>& r, absl::StatusCode code,
                const std::string& text) {
  ASSERT_FALSE(r.ok()) << "expected " << absl::StatusCodeToString(code) << ", got HTTP "
                       << r->status;
  EXPECT_EQ(r.status().code(), code) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr(text));
}

// ---------------------------------------------------------------------------
// Allowed traffic

TEST(HttpClientServer, AllowListedPlainHttpLoopbackReturnsBody) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({absl::StrCat("127.0.0.1:", port)})));
  auto r = client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/hello")));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "hello");
  EXPECT_THAT(r->content_type, StartsWith("text/plain"));
}

TEST(HttpClientServer, PostsBodyHeadersAndContentType) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  HttpRequest req;
  req.url = absl::StrCat("http://127.0.0.1:", port, "/echo");
  req.body = "<cXML payloadID=\"1\"/>";
  req.content_type = "text/xml; charset=UTF-8";
  req.headers = {{"X-Test", "abc"}};
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, req.body);
  EXPECT_EQ(r->content_type, "text/xml; charset=UTF-8");
  bool seen = false;
  for (const auto& [k, v] : r->headers) seen |= (k == "X-Seen-Header" && v == "abc");
  EXPECT_TRUE(seen);

  req.headers = {{"X-Bad", "a\r\nInjected: 1"}};
  ExpectCode(client.Send(req), absl::StatusCode::kInvalidArgument, "X-Bad");
  req.headers = {{"Host", "other.example"}};
  ExpectCode(client.Send(req), absl::StatusCode::kInvalidArgument, "Host");
}

TEST(HttpClientServer, NameIsPinnedToTheVettedAddressWithoutDns) {
  // "sim.test" exists only in the injected resolver: the request can only
  // succeed if curl connects to the vetted 127.0.0.1 without its own lookup.
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({"sim.test"})));
  auto r = client.Send(Get(absl::StrCat("http://sim.test:", port, "/hello")));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "hello");
  ASSERT_EQ(server.host_headers().size(), 1u);
  EXPECT_EQ(server.host_headers()[0], absl::StrCat("sim.test:", port));
}

TEST(HttpClientServer, EnvironmentProxyIsIgnored) {
  TestServer server;
  int port = server.Start();
  TcpProbe proxy("127.0.0.1");
  ASSERT_TRUE(proxy.ok());
  std::string proxy_url = absl::StrCat("http://127.0.0.1:", proxy.port());
  setenv("http_proxy", proxy_url.c_str(), 1);
  setenv("HTTPS_PROXY", proxy_url.c_str(), 1);
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  auto r = client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/hello")));
  unsetenv("http_proxy");
  unsetenv("HTTPS_PROXY");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(proxy.PendingConnections(), 0);
}

// ---------------------------------------------------------------------------
// Refusals: PERMISSION_DENIED and the target never sees a connection

class RefusalTest : public ::testing::Test {
 protected:
  void ExpectRefusedBeforeConnect(CurlHttpClient& client, TcpProbe& probe, const std::string& url,
                                  const std::string& text) {
    SCOPED_TRACE(url);
    auto r = client.Send(Get(url));
    ExpectCode(r, absl::StatusCode::kPermissionDenied, text);
    if (!r.ok()) {
      EXPECT_THAT(std::string(r.status().message()), StartsWith("egress policy: "));
    }
    EXPECT_EQ(probe.PendingConnections(), 0) << "a connection reached the target";
  }
};

TEST_F(RefusalTest, LoopbackAndMetadataTargetsWhenNotAllowListed) {
  TcpProbe probe("127.0.0.1");
  ASSERT_TRUE(probe.ok());
  const int p = probe.port();
  CurlHttpClient client(MakePolicy({}));
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("http://127.0.0.1:", p, "/"),
                             "scheme 'http' not allowed");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://127.0.0.1:", p, "/"),
                             "loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://0x7f000001:", p, "/"),
                             "loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://2130706433:", p, "/"),
                             "loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://0177.0.0.1:", p, "/"),
                             "loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://127.1:", p, "/"),
                             "loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://[::ffff:127.0.0.1]:", p, "/"),
                             "loopback address");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("gopher://127.0.0.1:", p, "/"),
                             "scheme 'gopher' not allowed (https only)");
  ExpectRefusedBeforeConnect(client, probe, "file:///etc/passwd", "scheme 'file' not allowed");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://rebind.test:", p, "/"),
                             "host 'rebind.test' resolves to loopback address 127.0.0.1");
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://user:pw@127.0.0.1:", p, "/"),
                             "userinfo");
  ExpectRefusedBeforeConnect(
      client, probe, "https://169.254.169.254/latest/meta-data/",
      "host '169.254.169.254' resolves to link-local/metadata address 169.254.169.254");
}

TEST_F(RefusalTest, Ipv6Loopback) {
  TcpProbe probe("::1");
  if (!probe.ok()) GTEST_SKIP() << "no IPv6 loopback here";
  CurlHttpClient client(MakePolicy({}));
  ExpectRefusedBeforeConnect(client, probe, absl::StrCat("https://[::1]:", probe.port(), "/"),
                             "loopback address ::1");
}

TEST_F(RefusalTest, PerSupplierAllowList) {
  TcpProbe probe("127.0.0.1");
  ASSERT_TRUE(probe.ok());
  // Even a host the operator allows for test mode is refused when the
  // supplier's own list does not name it.
  CurlHttpClient client(MakePolicy(Opts({"sim.test"})));
  HttpRequest req = Get(absl::StrCat("http://sim.test:", probe.port(), "/"));
  req.allowed_hosts = {"*.amazon.com"};
  ExpectCode(client.Send(req), absl::StatusCode::kPermissionDenied,
             "host 'sim.test' is not in the supplier's allowed hosts");
  EXPECT_EQ(probe.PendingConnections(), 0);
}

TEST_F(RefusalTest, RedirectIsNotFollowed) {
  TcpProbe second("127.0.0.1");
  ASSERT_TRUE(second.ok());
  TestServer first;
  first.set_redirect_to(absl::StrCat("http://127.0.0.1:", second.port(), "/next?token=abc"));
  int port = first.Start();
  // 127.0.0.1 on any port is allowed: only the no-redirect rule stops it.
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  auto r = client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/redirect")));
  ExpectCode(r, absl::StatusCode::kPermissionDenied,
             absl::StrCat("egress policy: redirect refused (HTTP 302 to http://127.0.0.1:",
                          second.port(), "/next)"));
  EXPECT_THAT(std::string(r.status().message()), Not(HasSubstr("token")));
  EXPECT_EQ(second.PendingConnections(), 0);
}

// ---------------------------------------------------------------------------
// Limits and failures

TEST(HttpClientServer, ResponseSizeCap) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy([] {
    auto o = Opts({"127.0.0.1"});
    o.max_response_bytes = 1000;
    return o;
  }()));
  ExpectCode(client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/big"))),
             absl::StatusCode::kResourceExhausted, "larger than 1000 bytes");
  ExpectCode(client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/big-chunked"))),
             absl::StatusCode::kResourceExhausted, "larger than 1000 bytes");
  // Under the cap is fine on the same client.
  auto ok = client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/hello")));
  ASSERT_TRUE(ok.ok()) << ok.status();
}

TEST(HttpClientServer, TotalTimeoutIsDeadlineExceeded) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy([] {
    auto o = Opts({"127.0.0.1"});
    o.total_timeout = absl::Seconds(1);
    return o;
  }()));
  ExpectCode(client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/slow"))),
             absl::StatusCode::kDeadlineExceeded, "host '127.0.0.1'");
  server.ReleaseSlow();
}

TEST(HttpClientServer, ConnectRefusedIsUnavailable) {
  int port;
  {
    TcpProbe closed("127.0.0.1");
    ASSERT_TRUE(closed.ok());
    port = closed.port();
  }  // closed: nothing listens on `port` now
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  ExpectCode(client.Send(Get(absl::StrCat("http://127.0.0.1:", port, "/x?secret=1"))),
             absl::StatusCode::kUnavailable, "host '127.0.0.1'");
}

TEST(HttpClientServer, SequentialRequestsReuseOneConnection) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/hello");
  for (int i = 0; i < 3; ++i) {
    auto r = client.Send(Get(url));
    ASSERT_TRUE(r.ok()) << r.status();
  }
  std::vector<int> ports = server.remote_ports();
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_EQ(ports[1], ports[2]);
  EXPECT_EQ(client.connections_opened(), 1);

  // A second client has its own connection: the counters do observe it.
  CurlHttpClient other(MakePolicy(Opts({"127.0.0.1"})));
  ASSERT_TRUE(other.Send(Get(url)).ok());
  EXPECT_EQ(other.connections_opened(), 1);
  EXPECT_NE(server.remote_ports().back(), ports[0]);
}

TEST(HttpClientServer, FreshConnectionOpensANewConnection) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/hello");
  ASSERT_TRUE(client.Send(Get(url)).ok());
  ASSERT_TRUE(client.Send(Get(url)).ok());
  EXPECT_EQ(client.connections_opened(), 1);

  HttpRequest fresh = Get(url);
  fresh.fresh_connection = true;
  auto r = client.Send(fresh);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->body, "hello");
  EXPECT_EQ(client.connections_opened(), 2);
  std::vector<int> ports = server.remote_ports();
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_NE(ports[2], ports[1]);
}

// ---------------------------------------------------------------------------
// Server behaviour

TEST(HttpServerTest, BodyOverLimitIs413ForContentLengthAndChunked) {
  HttpServerOptions options = TestServer::Defaults();
  options.max_body_bytes = 1024;
  TestServer server(options);
  int port = server.Start();

  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  HttpRequest req;
  req.url = absl::StrCat("http://127.0.0.1:", port, "/echo");
  req.content_type = "text/plain";
  req.body = std::string(2000, 'a');
  auto r = client.Send(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 413);
  EXPECT_THAT(r->body, HasSubstr("too large"));
  req.body = std::string(1024, 'a');
  auto at_limit = client.Send(req);
  ASSERT_TRUE(at_limit.ok()) << at_limit.status();
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.size(), 1024u);

  // Chunked upload (no Content-Length), which httplib itself does not cap;
  // afterwards the same keep-alive connection still works.
  httplib::Client raw("127.0.0.1", port);
  raw.set_keep_alive(true);
  auto chunked = raw.Post(
      "/echo",
      [](size_t offset, httplib::DataSink& sink) {
        std::string block(512, 'b');
        if (offset < 8192) {
          sink.write(block.data(), block.size());
        } else {
          sink.done();
        }
        return true;
      },
      "text/plain");
  ASSERT_TRUE(chunked) << httplib::to_string(chunked.error());
  EXPECT_EQ(chunked->status, 413);
  auto after = raw.Get("/hello");
  ASSERT_TRUE(after) << httplib::to_string(after.error());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "hello");

  auto small_chunked = raw.Post(
      "/echo",
      [](size_t offset, httplib::DataSink& sink) {
        if (offset == 0) {
          sink.write("chunk", 5);
        } else {
          sink.done();
        }
        return true;
      },
      "text/plain");
  ASSERT_TRUE(small_chunked);
  EXPECT_EQ(small_chunked->status, 200);
  EXPECT_EQ(small_chunked->body, "chunk");
}

TEST(HttpServerTest, LargeUrlEncodedFormUnderLimitIsParsed) {
  TestServer server;  // 1 MiB default limit; httplib alone would stop at 8 KiB
  int port = server.Start();
  httplib::Client raw("127.0.0.1", port);
  std::string value(20000, 'c');
  auto r = raw.Post("/form", "cxml-urlencoded=" + value, "application/x-www-form-urlencoded");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "20000");
}

TEST(HttpServerTest, UnknownPathIs404AndExceptionsAre500WithoutDetail) {
  TestServer server;
  int port = server.Start();
  httplib::Client raw("127.0.0.1", port);
  auto missing = raw.Get("/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, "404 not found\n");
  auto missing_post = raw.Post("/nope", std::string(100, 'z'), "text/plain");
  ASSERT_TRUE(missing_post);
  EXPECT_EQ(missing_post->status, 404);

  auto thrown = raw.Get("/throw");
  ASSERT_TRUE(thrown);
  EXPECT_EQ(thrown->status, 500);
  EXPECT_EQ(thrown->body, "500 internal server error\n");
  for (const auto& [k, v] : thrown->headers) {
    EXPECT_THAT(v, Not(HasSubstr("secret"))) << k;
  }
}

TEST(HttpServerTest, ConcurrentRequestsAreAllServed) {
  TestServer server;
  int port = server.Start();
  CurlHttpClient client(MakePolicy(Opts({"127.0.0.1"})));
  const std::string url = absl::StrCat("http://127.0.0.1:", port, "/work");
  std::atomic<int> served{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&] {
      auto r = client.Send(Get(url));
      if (r.ok() && r->status == 200 && r->body == "done") served.fetch_add(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(served.load(), 32);
}

TEST(HttpServerTest, StartStopLifecycle) {
  HttpServer server;
  server.Get("/hello", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("hi", "text/plain");
  });
  auto port = server.Start();
  ASSERT_TRUE(port.ok()) << port.status();
  EXPECT_GT(*port, 0);
  EXPECT_EQ(server.port(), *port);
  EXPECT_EQ(server.Start().status().code(), absl::StatusCode::kFailedPrecondition);

  HttpServerOptions clash;
  clash.port = *port;
  HttpServer second(clash);
  EXPECT_EQ(second.Start().status().code(), absl::StatusCode::kUnavailable);

  server.Stop();
  server.Stop();  // idempotent
  httplib::Client raw("127.0.0.1", *port);
  raw.set_connection_timeout(1);
  EXPECT_FALSE(raw.Get("/hello"));
}

}  // namespace
}  // namespace iob::http
