// Issue 8 finding 4: slow, idle and oversized clients against HttpServer
// over real loopback sockets (no Postgres). Each test is named after the
// part of the finding it checks.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/http/server.h"

namespace iob::http {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A client TCP connection to 127.0.0.1:port; closed on destruction.
class RawConn {
 public:
  explicit RawConn(int port) : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok_ = fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    timeval tv{10, 0};  // bounds every read: a broken server fails the test
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~RawConn() {
    if (fd_ >= 0) close(fd_);
  }
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool ok() const { return ok_; }
  bool Send(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = send(fd_, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }
  // Reads one response (headers plus a Content-Length body); "" when the
  // server closed the connection first.
  std::string ReadResponse() {
    std::string in;
    char buf[4096];
    size_t need = std::string::npos;
    for (;;) {
      size_t end = in.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        size_t cl = in.find("Content-Length: ");
        size_t len = cl != std::string::npos && cl < end ? std::stoul(in.substr(cl + 16)) : 0;
        need = end + 4 + len;
      }
      if (need != std::string::npos && in.size() >= need) return in.substr(0, need);
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return need == std::string::npos ? "" : in;
      in.append(buf, static_cast<size_t>(n));
    }
  }
  // True when the server has closed (or reset) the connection; waits at
  // most `max` for it.
  bool ClosedByServer(absl::Duration max) {
    pollfd p{fd_, POLLIN | POLLRDHUP, 0};
    if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(max))) <= 0) return false;
    char c;
    ssize_t n = recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

 private:
  int fd_;
  bool ok_ = false;
};

std::string Get(const std::string& path) {
  return absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

class SlowClientsTest : public ::testing::Test {
 protected:
  void StartServer(HttpServerOptions options) {
    server_ = std::make_unique<HttpServer>(options);
    server_->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    server_->Post("/echo", [this](const httplib::Request& req, httplib::Response& res) {
      echo_calls_.fetch_add(1);
      res.set_content(req.body, "text/plain");
    });
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
  }

  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::atomic<int> echo_calls_{0};
};

TEST_F(SlowClientsTest, Finding4_TwoHundredSlowOrIdleConnectionsDoNotStarveANormalPost) {
  HttpServerOptions o;
  o.threads = 8;
  o.max_connections_per_ip = 400;
  // Long enough that no slow client is cut off while the test runs: the
  // normal POST must be served beside them, not after them.
  o.read_timeout = absl::Seconds(60);
  o.keep_alive_timeout = absl::Seconds(60);
  StartServer(o);

  std::vector<std::unique_ptr<RawConn>> idle, trickling, endless_chunked;
  for (int i = 0; i < 70; ++i) {  // idle keep-alive, after one request
    idle.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(idle.back()->ok());
    ASSERT_TRUE(idle.back()->Send(Get("/hello")));
    ASSERT_THAT(idle.back()->ReadResponse(), StartsWith("HTTP/1.1 200"));
  }
  for (int i = 0; i < 70; ++i) {  // headers that never finish
    trickling.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(trickling.back()->ok());
    ASSERT_TRUE(trickling.back()->Send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a"));
  }
  for (int i = 0; i < 60; ++i) {  // a chunked body without end
    endless_chunked.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(endless_chunked.back()->ok());
    ASSERT_TRUE(
        endless_chunked.back()->Send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: "
                                     "chunked\r\n\r\n5\r\nhello\r\n"));
  }
  // Keep the slow ones slow: a byte now and then while the POST runs.
  absl::Notification stop;
  std::thread trickle([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(100))) {
      for (auto& c : trickling) c->Send("a");
      for (auto& c : endless_chunked) c->Send("1\r\nx\r\n");
    }
  });

  httplib::Client client("127.0.0.1", port_);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);  // the starvation bound, generous beside 1 s
  auto r = client.Post("/echo", "cart=1", "text/plain");
  stop.Notify();
  trickle.join();
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "cart=1");
  EXPECT_EQ(echo_calls_.load(), 1);  // no slow request reached a handler
  // The slow connections were served beside, not dropped to make room.
  EXPECT_FALSE(idle.front()->ClosedByServer(absl::ZeroDuration()));
  EXPECT_FALSE(trickling.back()->ClosedByServer(absl::ZeroDuration()));
  EXPECT_FALSE(endless_chunked.back()->ClosedByServer(absl::ZeroDuration()));
}

TEST_F(SlowClientsTest, Finding4_WholeRequestDeadlineClosesATricklingClient) {
  HttpServerOptions o;
  o.read_timeout = absl::Seconds(1);
  o.keep_alive_timeout = absl::Seconds(5);
  StartServer(o);
  RawConn c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  // One byte every 100 ms would take 30 s: every single read is quick, only
  // a deadline on the whole request stops it.
  bool closed = false;
  for (int i = 0; i < 300 && !closed; ++i) {
    closed = !c.Send("a") || c.ClosedByServer(absl::Milliseconds(100));
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(echo_calls_.load(), 0);
}

TEST_F(SlowClientsTest, Finding4_ChunkedBodyOverTheCapGets413) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  RawConn c(port_);
  ASSERT_TRUE(c.ok());
  std::string req = "POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) absl::StrAppend(&req, "200\r\n", std::string(512, 'b'), "\r\n");
  absl::StrAppend(&req, "0\r\n\r\n");
  ASSERT_TRUE(c.Send(req));
  std::string resp = c.ReadResponse();
  EXPECT_THAT(resp, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(resp, HasSubstr("too large"));
  EXPECT_EQ(echo_calls_.load(), 0);
}

TEST_F(SlowClientsTest, Finding4_EndlessChunkedBodyIsCutOffNotReadForever) {
  HttpServerOptions o;
  o.max_body_bytes = 1024;
  StartServer(o);
  RawConn c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // A server that reads (and drops) an uncapped body takes all 64 MiB;
  // ours stops reading soon after the cap and closes.
  const std::string chunk = absl::StrCat("4000\r\n", std::string(0x4000, 'c'), "\r\n");
  size_t sent = 0;
  while (sent < (64u << 20) && c.Send(chunk)) sent += chunk.size();
  EXPECT_LT(sent, 64u << 20);
  EXPECT_EQ(echo_calls_.load(), 0);
}

TEST_F(SlowClientsTest, Finding4_GzipBodyIsRefusedNotInflated) {
  StartServer(HttpServerOptions{});
  RawConn c(port_);
  ASSERT_TRUE(c.ok());
  // gzip of "hello" (a bomb would look the same on the wire: refused unread).
  const std::string gz(
      "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00\x86"
      "\xa6\x10\x36\x05\x00\x00\x00",
      25);
  ASSERT_TRUE(
      c.Send(absl::StrCat("POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: text/plain\r\nContent-Encoding: gzip\r\n"
                          "Content-Length: ",
                          gz.size(), "\r\n\r\n", gz)));
  EXPECT_THAT(c.ReadResponse(), StartsWith("HTTP/1.1 415"));
  EXPECT_EQ(echo_calls_.load(), 0);
}

TEST_F(SlowClientsTest, Finding4_ConnectionsPerClientIpAreLimited) {
  HttpServerOptions o;
  o.max_connections_per_ip = 4;
  o.keep_alive_timeout = absl::Seconds(30);
  StartServer(o);
  std::vector<std::unique_ptr<RawConn>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<RawConn>(port_));
    ASSERT_TRUE(held.back()->ok());
    ASSERT_TRUE(held.back()->Send(Get("/hello")));
    ASSERT_THAT(held.back()->ReadResponse(), StartsWith("HTTP/1.1 200"));
  }
  {
    RawConn extra(port_);  // the kernel accepts; the server closes it unanswered
    extra.Send(Get("/hello"));
    EXPECT_EQ(extra.ReadResponse(), "");
  }
  // The held ones still work, and a slot freed is a slot usable again.
  ASSERT_TRUE(held.front()->Send(Get("/hello")));
  EXPECT_THAT(held.front()->ReadResponse(), StartsWith("HTTP/1.1 200"));
  held.pop_back();
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {  // the close reaches the server asynchronously
    RawConn again(port_);
    served = again.Send(Get("/hello")) && absl::StartsWith(again.ReadResponse(), "HTTP/1.1 200");
  }
  EXPECT_TRUE(served);
}

}  // namespace
}  // namespace iob::http
