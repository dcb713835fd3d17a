// Load driver for the HTTP edge (issue 8 finding 4): starts an HttpServer
// with default options (bar the per-IP limit) in-process, opens N slow or idle connections
// (idle keep-alive, trickled headers, chunked bodies without end) and times
// sequential normal POSTs beside them.
// Usage: http_slow_clients [slow_connections=200] [posts=20]
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/http/server.h"

namespace {

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& s) { send(fd, s.data(), s.size(), MSG_NOSIGNAL); }

}  // namespace

int main(int argc, char** argv) {
  const int slow = argc > 1 ? std::atoi(argv[1]) : 200;
  const int posts = argc > 2 ? std::atoi(argv[2]) : 20;
  // Defaults, except that every connection here comes from 127.0.0.1: the
  // per-IP limit would otherwise refuse the slow ones (and the POSTs).
  iob::http::HttpServerOptions options;
  options.max_connections_per_ip = 1000;
  iob::http::HttpServer server(options);
  server.Post("/cart", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content(req.body, "text/plain");
  });
  auto port = server.Start();
  if (!port.ok()) return 1;

  std::vector<int> fds;
  for (int i = 0; i < slow; ++i) {
    int fd = Connect(*port);
    if (fd < 0) continue;
    switch (i % 3) {
      case 0:  // idle keep-alive: one answered request, then silence
        Send(fd, "GET /none HTTP/1.1\r\nHost: x\r\n\r\n");
        break;
      case 1:  // trickled headers
        Send(fd, "POST /cart HTTP/1.1\r\nHost: x\r\nX-Slow: a");
        break;
      default:  // chunked body without end
        Send(fd, "POST /cart HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n");
    }
    fds.push_back(fd);
  }
  absl::Notification stop;
  std::thread trickle([&] {
    while (!stop.WaitForNotificationWithTimeout(absl::Milliseconds(200))) {
      for (size_t i = 0; i < fds.size(); ++i) {
        if (i % 3 == 1) Send(fds[i], "a");
        if (i % 3 == 2) Send(fds[i], "1\r\nx\r\n");
      }
    }
  });

  std::vector<double> ms;
  int failed = 0;
  for (int i = 0; i < posts; ++i) {
    httplib::Client client("127.0.0.1", *port);
    client.set_read_timeout(15);
    absl::Time t0 = absl::Now();
    auto r = client.Post("/cart", "item=1&qty=2", "application/x-www-form-urlencoded");
    if (!r || r->status != 200) {
      ++failed;
      continue;
    }
    ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  stop.Notify();
  trickle.join();
  for (int fd : fds) close(fd);
  std::sort(ms.begin(), ms.end());
  std::printf("slow_connections=%zu posts=%d ok=%zu failed_or_timed_out(15s)=%d", fds.size(), posts,
              ms.size(), failed);
  if (!ms.empty()) {
    std::printf(" p50_ms=%.2f max_ms=%.2f", ms[ms.size() / 2], ms.back());
  }
  std::printf("\n");
  server.Stop();
  return 0;
}
