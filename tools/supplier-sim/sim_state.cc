#include "tools/supplier-sim/sim_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/cxml/shared_secret.h"

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

absl::StatusOr<std::pair<Group, cxml::Credential>> GroupRegistry::Authenticate(
    const cxml::Header& header) const {
  for (const cxml::Credential& from : header.from) {
    std::optional<Group> group = Find(from.identity);
    if (!group.has_value()) continue;
    absl::Status s =
        cxml::VerifySharedSecret(header, from.domain, group->from_identity, group->shared_secret);
    if (!s.ok()) return absl::UnauthenticatedError("wrong shared secret");
    bool sender_ok = std::any_of(header.sender.begin(), header.sender.end(), [&](const auto& c) {
      return c.identity == group->from_identity &&
             cxml::SecretsEqual(c.shared_secret, group->shared_secret);
    });
    if (!sender_ok) {
      return absl::UnauthenticatedError(
          "the Sender credential carrying the shared secret must have the From identity");
    }
    return std::make_pair(*std::move(group), from);
  }
  return absl::UnauthenticatedError("unknown From identity");
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

namespace {

// Appends `value` to `list` unless it is empty or already there.
void AddDistinct(std::vector<std::string>& list, const std::string& value) {
  if (value.empty() || std::find(list.begin(), list.end(), value) != list.end()) return;
  list.push_back(value);
}

}  // namespace

ReceiptHistory OrderBook::Record(const OrderReceipt& r) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = orders_.try_emplace(r.order_id);
  if (inserted) arrival_.push_back(r.order_id);
  OrderRecord& o = it->second;
  o.order_id = r.order_id;
  ReceiptHistory history;
  history.duplicate = payload_ids_[r.payload_id]++ > 0;
  history.accepted_before = o.accepted_payload_ids.count(r.payload_id) > 0;
  ++o.received;
  ++o.payload_ids[r.payload_id];
  if (r.accepted) {
    ++o.accepted;
    o.accepted_payload_ids.insert(r.payload_id);
  }
  AddDistinct(o.types, r.type);
  AddDistinct(o.versions, r.version);
  AddDistinct(o.document_references, r.document_reference);
  o.last_payload_id = r.payload_id;
  o.deployment_mode = r.deployment_mode;
  ++totals_.received;
  if (history.duplicate) ++totals_.duplicates;
  while (orders_.size() > max_orders_ && !arrival_.empty()) {
    auto old = orders_.find(arrival_.front());
    for (const auto& [pid, n] : old->second.payload_ids) {
      auto p = payload_ids_.find(pid);
      if (p != payload_ids_.end() && (p->second -= n) <= 0) payload_ids_.erase(p);
    }
    orders_.erase(old);
    arrival_.pop_front();
  }
  return history;
}

std::vector<OrderRecord> OrderBook::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<OrderRecord> out;
  out.reserve(arrival_.size());
  for (const std::string& id : arrival_) out.push_back(orders_.at(id));
  return out;
}

std::optional<OrderRecord> OrderBook::Find(const std::string& order_id) const {
  absl::MutexLock lock(&mu_);
  auto it = orders_.find(order_id);
  if (it == orders_.end()) return std::nullopt;
  return it->second;
}

OrderTotals OrderBook::Totals() const {
  absl::MutexLock lock(&mu_);
  return totals_;
}

void OrderBook::Reset() {
  absl::MutexLock lock(&mu_);
  orders_.clear();
  arrival_.clear();
  payload_ids_.clear();
  totals_ = {};
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
