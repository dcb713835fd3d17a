// Plain HTTP for tests (libcurl, no proxy): what a browser or a scraper does
// against a service's HTTP edge or the supplier simulator.
#ifndef IOB_TESTS_SUPPORT_HTTP_CLIENT_H_
#define IOB_TESTS_SUPPORT_HTTP_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"

namespace iob::testing {

struct HttpResult {
  long status = 0;
  std::string body;
  std::string content_type;
  std::string location;  // Location header of a redirect (when not followed)
  std::string effective_url;
};

// One request with `body` (POST) and `content_type` ("" = none); 20 s
// timeout. `follow` follows redirects the way a browser does (303 -> GET).
// Returns whatever status the server answered; UNAVAILABLE when the transfer
// fails. Thread-safe.
absl::StatusOr<HttpResult> Http(const std::string& method, const std::string& url,
                                const std::string& body = "", const std::string& content_type = "",
                                bool follow = false);

// GET http://127.0.0.1:<port><path>. Returns the body; UNAVAILABLE when the
// request fails or the status is not 200. Thread-safe.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_HTTP_CLIENT_H_
