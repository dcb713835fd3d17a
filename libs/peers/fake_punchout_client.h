// An in-memory PunchoutClient for unit tests: the test adds the sessions
// (with their carts and states) it wants, and can make the next call fail.
// Header-only; not for production use.
#ifndef IOB_LIBS_PEERS_FAKE_PUNCHOUT_CLIENT_H_
#define IOB_LIBS_PEERS_FAKE_PUNCHOUT_CLIENT_H_

#include <deque>
#include <map>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/peers/punchout_client.h"

namespace iob::peers {

// Thread-safe. Unknown sessions are NOT_FOUND; a session in another state
// than CHECKED_OUT is refused as GrpcPunchoutClient refuses it
// (CheckCheckedOut).
class FakePunchoutClient : public PunchoutClient {
 public:
  // Adds (or replaces) the session `cart.session` in `state`, with `cart`.
  void AddSession(CheckedOutCart cart,
                  punchout::v1::SessionState state = punchout::v1::SESSION_STATE_CHECKED_OUT) {
    absl::MutexLock lock(&mu_);
    std::string name = cart.session;
    sessions_[name] = {std::move(cart), state};
  }

  // The next call returns `error` (which must not be OK) instead of its
  // answer; calls queue in order.
  void FailNext(absl::Status error) {
    absl::MutexLock lock(&mu_);
    failures_.push_back(std::move(error));
  }

  // How many times GetCheckedOutCart was called.
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

  absl::StatusOr<CheckedOutCart> GetCheckedOutCart(const std::string& session) override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    if (!failures_.empty()) {
      absl::Status st = std::move(failures_.front());
      failures_.pop_front();
      return st;
    }
    auto it = sessions_.find(session);
    if (it == sessions_.end()) return absl::NotFoundError("session " + session + " not found");
    if (absl::Status st = CheckCheckedOut(session, it->second.state); !st.ok()) return st;
    return it->second.cart;
  }

 private:
  struct Entry {
    CheckedOutCart cart;
    punchout::v1::SessionState state;
  };

  mutable absl::Mutex mu_;
  std::map<std::string, Entry> sessions_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Status> failures_ ABSL_GUARDED_BY(mu_);
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace iob::peers

#endif  // IOB_LIBS_PEERS_FAKE_PUNCHOUT_CLIENT_H_
