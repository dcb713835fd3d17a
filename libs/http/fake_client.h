// A scripted HttpClient for unit tests: answers each Send with the next
// queued response or error and records the requests. Header-only; not for
// production use.
#ifndef IOB_LIBS_HTTP_FAKE_CLIENT_H_
#define IOB_LIBS_HTTP_FAKE_CLIENT_H_

#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/http/client.h"

namespace iob::http {

// Thread-safe.
class FakeHttpClient : public HttpClient {
 public:
  // Queues the answer to a later Send: a response or an error status.
  void Push(absl::StatusOr<HttpResponse> answer) {
    absl::MutexLock lock(&mu_);
    answers_.push_back(std::move(answer));
  }

  // Queues a response with `status`, `body` and Content-Type text/xml.
  void PushResponse(int status, std::string body) {
    Push(HttpResponse{status, std::move(body), "text/xml", {}});
  }

  // Returns the next queued answer; UNAVAILABLE "fake: no answer queued"
  // when there is none.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    absl::MutexLock lock(&mu_);
    requests_.push_back(request);
    if (answers_.empty()) return absl::UnavailableError("fake: no answer queued");
    absl::StatusOr<HttpResponse> answer = std::move(answers_.front());
    answers_.pop_front();
    return answer;
  }

  // Returns a copy of every request sent so far, in order.
  std::vector<HttpRequest> requests() const {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  mutable absl::Mutex mu_;
  std::deque<absl::StatusOr<HttpResponse>> answers_ ABSL_GUARDED_BY(mu_);
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iob::http

#endif  // IOB_LIBS_HTTP_FAKE_CLIENT_H_
