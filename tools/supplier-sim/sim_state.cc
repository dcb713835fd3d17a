#include "tools/supplier-sim/sim_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace iob::sim {

std::string_view CartEncodingName(CartEncoding encoding) {
  return encoding == CartEncoding::kBase64 ? "base64" : "urlencoded";
}

absl::StatusOr<CartEncoding> ParseCartEncoding(std::string_view text) {
  std::string t = absl::AsciiStrToLower(std::string(text));
  if (t == "urlencoded" || t == "cxml-urlencoded") return CartEncoding::kUrlEncoded;
  if (t == "base64" || t == "cxml-base64") return CartEncoding::kBase64;
  return absl::InvalidArgumentError(
      absl::StrCat("cart encoding must be \"urlencoded\" or \"base64\", not \"", t, "\""));
}

std::string ExtrinsicText(const std::vector<cxml::Extrinsic>& extrinsics, std::string_view name) {
  for (const cxml::Extrinsic& e : extrinsics) {
    if (e.name == name) return e.value.Text();
  }
  return "";
}

absl::Status GroupRegistry::Add(const Group& group) {
  if (group.from_identity.empty() || group.shared_secret.empty()) {
    return absl::InvalidArgumentError("from_identity and shared_secret must not be empty");
  }
  absl::MutexLock lock(&mu_);
  if (!groups_.emplace(group.from_identity, group).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("a group with from_identity \"", group.from_identity, "\" exists"));
  }
  return absl::OkStatus();
}

std::optional<Group> GroupRegistry::Find(const std::string& from_identity) const {
  absl::MutexLock lock(&mu_);
  auto it = groups_.find(from_identity);
  if (it == groups_.end()) return std::nullopt;
  return it->second;
}

std::vector<Group> GroupRegistry::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<Group> out;
  for (const auto& [id, group] : groups_) out.push_back(group);
  return out;
}

absl::Status GroupRegistry::SetCartEncoding(const std::string& from_identity,
                                            CartEncoding encoding) {
  absl::MutexLock lock(&mu_);
  auto it = groups_.find(from_identity);
  if (it == groups_.end()) return absl::NotFoundError("no such group");
  it->second.cart_encoding = encoding;
  return absl::OkStatus();
}

void ShopSessions::Put(ShopSession session) {
  absl::MutexLock lock(&mu_);
  std::string token = session.token;
  if (sessions_.insert_or_assign(token, std::move(session)).second) order_.push_back(token);
  while (sessions_.size() > max_sessions_ && !order_.empty()) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
}

std::optional<ShopSession> ShopSessions::Get(const std::string& token) const {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<ShopSession> ShopSessions::Update(
    const std::string& token, const std::function<absl::Status(ShopSession&)>& mutate) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return absl::NotFoundError("no such punchout session");
  absl::Status s = mutate(it->second);
  if (!s.ok()) return s;
  return it->second;
}

size_t ShopSessions::size() const {
  absl::MutexLock lock(&mu_);
  return sessions_.size();
}

void PublicUrl::Set(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  absl::MutexLock lock(&mu_);
  url_ = std::move(url);
}

std::string PublicUrl::Get() const {
  absl::MutexLock lock(&mu_);
  return url_;
}

}  // namespace iob::sim
