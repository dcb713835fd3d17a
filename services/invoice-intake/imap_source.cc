// ImapSource: libcurl's IMAP with every command sent as a custom request on
// a URL without a mailbox, so libcurl logs in (STARTTLS first) and passes our
// command through without selecting anything itself; we SELECT.
//
// libcurl hands a custom command's reply over line by line and knows nothing
// of literals: a message line such as "A006 OK" that matches the command's
// tag ends the command for libcurl in the middle of the message. So the
// reply is taken from the raw stream of server lines (the header callback
// gets every line, literal lines included) and parsed here with literals
// counted; a reply that does not add up is refused, the connection dropped
// (the rest of the reply is still on it) and the message quarantined.
#include "services/invoice-intake/imap_source.h"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/http/curl_handles.h"
#include "libs/http/egress_policy.h"

namespace iob::invoice {
namespace {

constexpr size_t kMaxErrorText = 300;
constexpr size_t kMaxSecret = 16384;  // an OAuth2 access token can be a few KB
// Reply bytes allowed beyond the message bound (the FETCH line, the tagged
// line, a login's capability lines).
constexpr size_t kReplySlack = 64 * 1024;
// libcurl's receive buffer. It strips a single read of more than half of it
// that holds no line end, so keep it large; a message line longer still
// makes the reply not add up (the message is quarantined, never misread).
constexpr long kReceiveBuffer = 1L << 20;

// ---------------------------------------------------------------- options

// One part of `url` ("" when absent), percent-decoded with CURLU_URLDECODE.
std::string UrlPart(CURLU* url, CURLUPart part, unsigned int flags = 0) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr) return "";
  http::CurlString value(raw);
  return value.get();
}

// A folder name we can send as an IMAP quoted string and use in LIST
// without quoting rules, wildcards or modified UTF-7: printable ASCII
// letters, digits, space and -_./+,:() only, no leading or trailing space.
bool IsFolderName(absl::string_view name) {
  if (name.empty() || name.size() > 200 || name.front() == ' ' || name.back() == ' ') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || absl::StrContains(" -_./+,:()", c);
  });
}

absl::Status CheckFolder(absl::string_view name, absl::string_view field) {
  if (name.empty()) return common::InvalidField(field, "is required");
  if (!IsFolderName(name)) {
    return common::InvalidField(
        field, "must be letters, digits, space and -_./+,:() only (at most 200 bytes)");
  }
  return absl::OkStatus();
}

// IMAP's mailbox names are case-sensitive, except INBOX.
bool SameMailbox(absl::string_view a, absl::string_view b) {
  return a == b || (absl::EqualsIgnoreCase(a, "INBOX") && absl::EqualsIgnoreCase(b, "INBOX"));
}

// What OpenImap needs from the URL.
struct ImapUrl {
  std::string scheme;       // "imap" or "imaps"
  std::string host;         // without brackets
  std::string connect_url;  // scheme://host[:port]/ : no mailbox, so libcurl selects nothing
  std::string mailbox;      // the decoded path, "INBOX" when empty
};

absl::StatusOr<ImapUrl> ParseImapUrl(const std::string& text) {
  constexpr absl::string_view kField = "imap.url";
  if (text.empty()) return common::InvalidField(kField, "is required");
  http::CurlUrl url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return common::InvalidField(kField, "is not a URL");
  }
  ImapUrl parsed;
  parsed.scheme = absl::AsciiStrToLower(UrlPart(url.get(), CURLUPART_SCHEME));
  if (parsed.scheme != "imap" && parsed.scheme != "imaps") {
    return common::InvalidField(kField, "must be imaps:// (implicit TLS) or imap:// (STARTTLS)");
  }
  parsed.host = absl::AsciiStrToLower(UrlPart(url.get(), CURLUPART_HOST));
  if (parsed.host.size() > 2 && parsed.host.front() == '[' && parsed.host.back() == ']') {
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  }
  if (parsed.host.empty()) return common::InvalidField(kField, "has no host");
  if (!UrlPart(url.get(), CURLUPART_USER).empty() ||
      !UrlPart(url.get(), CURLUPART_PASSWORD).empty() ||
      !UrlPart(url.get(), CURLUPART_OPTIONS).empty()) {
    return common::InvalidField(kField, "must not hold credentials (use imap.username)");
  }
  if (!UrlPart(url.get(), CURLUPART_QUERY).empty() ||
      !UrlPart(url.get(), CURLUPART_FRAGMENT).empty()) {
    return common::InvalidField(kField, "must have no query or fragment");
  }
  parsed.mailbox = UrlPart(url.get(), CURLUPART_PATH, CURLU_URLDECODE);
  if (!parsed.mailbox.empty() && parsed.mailbox.front() == '/') parsed.mailbox.erase(0, 1);
  if (parsed.mailbox.empty()) parsed.mailbox = "INBOX";
  if (!IsFolderName(parsed.mailbox)) {
    return common::InvalidField(kField, "names a mailbox that is not a plain folder name");
  }
  curl_url_set(url.get(), CURLUPART_PATH, "/", 0);
  parsed.connect_url = UrlPart(url.get(), CURLUPART_URL);
  return parsed;
}

// 127.0.0.0/8, ::1 or "localhost" (which libcurl resolves to loopback itself).
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  const std::optional<http::IpAddress> ip = http::ParseIpLiteral(host);
  return ip.has_value() && http::ClassifyAddress(*ip) == http::AddressClass::kLoopback;
}

// ---------------------------------------------------------------- replies

// One untagged response ("* ..."), literals taken out: `text` (without the
// "* ") keeps each literal's "{N}" marker, `literals` holds their bytes.
struct Untagged {
  std::string text;
  std::vector<std::string> literals;
};

// The server's complete reply to one command.
struct Reply {
  std::vector<Untagged> untagged;
  std::string status;  // "OK", "NO" or "BAD"
  std::string text;    // the tagged line after the status
};

// N when `line` (without its CRLF) ends in a literal marker "{N}" (or
// literal8's "~{N}").
std::optional<size_t> LiteralSize(absl::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == absl::string_view::npos) return std::nullopt;
  const absl::string_view digits = line.substr(open + 1, line.size() - open - 2);
  size_t n = 0;
  if (digits.empty() || digits.size() > 12 || !absl::c_all_of(digits, absl::ascii_isdigit) ||
      !absl::SimpleAtoi(digits, &n)) {
    return std::nullopt;
  }
  return n;
}

// Reads the reply to the command tagged `tag` from `stream` (what the server
// sent after the command). nullopt when it does not add up: it ends inside a
// literal or a line or before the tagged line, or bytes follow that line.
std::optional<Reply> ParseReply(absl::string_view stream, absl::string_view tag) {
  Reply reply;
  Untagged current;
  size_t pos = 0;
  while (pos < stream.size()) {
    const size_t eol = stream.find('\n', pos);
    if (eol == absl::string_view::npos) return std::nullopt;
    absl::string_view line = stream.substr(pos, eol - pos);
    absl::ConsumeSuffix(&line, "\r");
    pos = eol + 1;
    current.text.append(line.data(), line.size());
    if (const std::optional<size_t> n = LiteralSize(line)) {
      if (stream.size() - pos < *n) return std::nullopt;
      current.literals.emplace_back(stream.substr(pos, *n));
      pos += *n;
      continue;  // the response goes on after its literal
    }
    absl::string_view text = current.text;
    if (absl::ConsumePrefix(&text, "* ")) {
      current.text.erase(0, 2);
      reply.untagged.push_back(std::move(current));
    } else if (absl::ConsumePrefix(&text, tag) && absl::ConsumePrefix(&text, " ")) {
      const size_t space = text.find(' ');
      reply.status = absl::AsciiStrToUpper(text.substr(0, space));
      if (space != absl::string_view::npos) reply.text = std::string(text.substr(space + 1));
      return pos == stream.size() ? std::optional<Reply>(std::move(reply)) : std::nullopt;
    }
    current = Untagged{};  // a continuation request ("+ ...") or noise: not ours
  }
  return std::nullopt;
}

// The unsigned number that follows `prefix` in `text` ("UIDVALIDITY 7]").
std::optional<uint32_t> NumberAfter(absl::string_view text, absl::string_view prefix) {
  const size_t at = text.find(prefix);
  if (at == absl::string_view::npos) return std::nullopt;
  text.remove_prefix(at + prefix.size());
  const size_t end = std::min(text.size(), text.find_first_not_of("0123456789"));
  uint32_t n = 0;
  if (end == 0 || !absl::SimpleAtoi(text.substr(0, end), &n)) return std::nullopt;
  return n;
}

// What a reply says about a message body (UID FETCH <uid> BODY.PEEK[]).
struct Body {
  enum Kind { kGone, kRead, kMalformed } kind = kGone;
  std::string raw;
};

Body BodyOf(Reply& reply, uint32_t uid) {
  for (Untagged& u : reply.untagged) {
    // "<seq> FETCH (UID <uid> BODY[] {<n>})", attributes in any order.
    const size_t fetch = u.text.find(" FETCH (");
    if (fetch == std::string::npos ||
        !absl::c_all_of(u.text.substr(0, fetch), absl::ascii_isdigit)) {
      continue;
    }
    const absl::string_view attributes = absl::string_view(u.text).substr(fetch + 7);
    std::optional<uint32_t> got = NumberAfter(attributes, "(UID ");
    if (!got.has_value()) got = NumberAfter(attributes, " UID ");
    if (got != uid || !absl::StrContains(attributes, "BODY[]")) continue;  // a flag update
    if (u.literals.size() != 1) return {Body::kMalformed, ""};
    return {Body::kRead, std::move(u.literals.front())};
  }
  return {};
}

// A key: "UIDVALIDITY:UID".
struct MessageKey {
  uint32_t validity = 0;
  uint32_t uid = 0;
};

absl::StatusOr<MessageKey> ParseKey(const std::string& key) {
  const std::vector<absl::string_view> parts = absl::StrSplit(key, ':');
  MessageKey k;
  if (parts.size() != 2 ||
      !absl::c_all_of(key, [](char c) { return c == ':' || absl::ascii_isdigit(c); }) ||
      !absl::SimpleAtoi(parts[0], &k.validity) || !absl::SimpleAtoi(parts[1], &k.uid) ||
      k.validity == 0 || k.uid == 0) {
    return common::InvalidField("key", "is not UIDVALIDITY:UID");
  }
  return k;
}

std::string Quote(absl::string_view folder) { return absl::StrCat("\"", folder, "\""); }

// ---------------------------------------------------------------- transfer

// What one curl_easy_perform saw: every line the server sent, and where the
// reply to our command starts.
struct Transfer {
  std::string command;  // as sent, without tag and CRLF
  std::string stream;
  size_t reply_start = std::string::npos;  // set when the command went out
  std::string tag;
  size_t limit = 0;
  bool over_limit = false;
};

size_t OnHeader(char* data, size_t size, size_t nitems, void* userp) {
  auto* t = static_cast<Transfer*>(userp);
  const size_t n = size * nitems;
  if (t->stream.size() + n > t->limit) {
    t->over_limit = true;
    return 0;  // libcurl aborts the transfer
  }
  t->stream.append(data, n);
  return n;
}

// Notes the tag of our command when libcurl sends it ("A005 UID FETCH ...").
// The other lines it sends (the login's) are not looked at.
int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  if (type != CURLINFO_HEADER_OUT) return 0;
  auto* t = static_cast<Transfer*>(userp);
  absl::string_view line(data, size);
  absl::ConsumeSuffix(&line, "\r\n");
  const size_t space = line.find(' ');
  if (space != absl::string_view::npos && line.substr(space + 1) == t->command) {
    t->tag = std::string(line.substr(0, space));
    t->reply_start = t->stream.size();
  }
  return 0;
}

// Untagged replies also reach the body callback; the header stream has them.
size_t DiscardBody(char*, size_t size, size_t nitems, void*) { return size * nitems; }

// ---------------------------------------------------------------- source

class ImapSource final : public MailSource {
 public:
  ImapSource(ImapOptions options, ImapUrl url)
      : options_(std::move(options)), url_(std::move(url)) {}

  std::string Name() const override { return options_.url; }

  absl::StatusOr<std::vector<FetchedMessage>> Fetch(int max) override {
    std::vector<FetchedMessage> out;
    if (max <= 0) return out;
    IOB_RETURN_IF_ERROR(Select());
    const uint32_t validity = uidvalidity_;
    IOB_ASSIGN_OR_RETURN(const Reply search, Run("UID SEARCH UNSEEN UNDELETED", true));
    std::vector<uint32_t> uids;
    for (const Untagged& u : search.untagged) {
      absl::string_view text = u.text;
      if (!absl::ConsumePrefix(&text, "SEARCH")) continue;
      for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
        uint32_t uid = 0;
        if (absl::SimpleAtoi(word, &uid) && uid > 0) uids.push_back(uid);
      }
    }
    std::sort(uids.begin(), uids.end());  // UIDs grow with arrival: oldest first
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    if (uids.size() > static_cast<size_t>(max)) uids.resize(max);
    for (const uint32_t uid : uids) {
      if (!selected_) IOB_RETURN_IF_ERROR(Select());  // dropped after an unreadable message
      if (uidvalidity_ != validity) break;  // reset meanwhile: the rest comes under new keys
      const std::string key = absl::StrCat(validity, ":", uid);
      absl::StatusOr<Reply> fetched = Run(absl::StrCat("UID FETCH ", uid, " BODY.PEEK[]"), true);
      std::string unreadable;
      if (absl::IsResourceExhausted(fetched.status())) {
        unreadable = absl::StrCat("larger than ", options_.max_message_bytes, " bytes");
      } else if (absl::IsDataLoss(fetched.status())) {
        unreadable = "its FETCH reply does not add up (lines that pass for IMAP replies?)";
      } else if (!fetched.ok()) {
        return fetched.status();
      } else {
        Body body = BodyOf(*fetched, uid);
        if (body.kind == Body::kGone) continue;  // expunged by someone else since the SEARCH
        if (body.kind == Body::kRead) {
          out.push_back({key, std::move(body.raw)});
          continue;
        }
        unreadable = "its FETCH reply holds no literal body";
      }
      LogUnreadableMessage(*this, key, unreadable, Quarantine(key));
    }
    return out;
  }

  absl::Status MarkProcessed(const std::string& key) override {
    return Move(key, options_.processed_folder, /*seen=*/true, &processed_ready_);
  }

  absl::Status Quarantine(const std::string& key) override {
    return Move(key, options_.quarantine_folder, /*seen=*/false, &quarantine_ready_);
  }

 private:
  // Sends `command` (one custom request) and reads the complete reply.
  // `on_selection`: the command acts on the selected mailbox, so it fails
  // (UNAVAILABLE) when libcurl had to open a new connection for it.
  // Errors: see OpenImap; RESOURCE_EXHAUSTED when the reply is over the
  // bound and DATA_LOSS when it does not add up (both drop the connection).
  absl::StatusOr<Reply> Run(const std::string& command, bool on_selection) {
    CURL* c = Handle();
    if (c == nullptr) return absl::UnavailableError("curl_easy_init failed");
    transfer_ = Transfer();
    transfer_.command = command;
    transfer_.limit = options_.max_message_bytes + kReplySlack;
    error_[0] = '\0';
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, command.c_str());
    const CURLcode rc = curl_easy_perform(c);
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    if (connects > 0) {  // a new connection: nothing is selected on it yet
      selected_ = false;
      capabilities_.reset();
    }
    if (transfer_.over_limit) {
      Drop();
      return absl::ResourceExhaustedError(absl::StrCat(
          Name(), ": the reply to ", command, " is larger than ", transfer_.limit, " bytes"));
    }
    if (rc != CURLE_OK && rc != CURLE_QUOTE_ERROR) {
      absl::Status error = CurlError(rc);
      Drop();
      return error;
    }
    std::optional<Reply> reply;
    if (transfer_.reply_start != std::string::npos) {
      reply = ParseReply(absl::string_view(transfer_.stream).substr(transfer_.reply_start),
                         transfer_.tag);
    }
    std::string().swap(transfer_.stream);  // a message's bytes: not kept twice until the next Run
    if (!reply.has_value()) {
      Drop();
      return absl::DataLossError(
          absl::StrCat(Name(), ": the reply to ", command, " does not add up"));
    }
    if (on_selection && connects > 0) {
      Drop();
      return absl::UnavailableError(
          absl::StrCat(Name(), ": the connection was lost between commands; try again"));
    }
    if (reply->status != "OK") {
      return absl::FailedPreconditionError(
          absl::StrCat(Name(), " refused ", command, ": ", reply->status, " ", Safe(reply->text)));
    }
    return *std::move(reply);
  }

  // SELECTs the mailbox afresh and notes its UIDVALIDITY.
  absl::Status Select() {
    selected_ = false;
    IOB_ASSIGN_OR_RETURN(const Reply reply, Run("SELECT " + Quote(url_.mailbox), false));
    for (const Untagged& u : reply.untagged) {
      if (!absl::StartsWith(u.text, "OK [UIDVALIDITY ")) continue;
      if (const std::optional<uint32_t> v = NumberAfter(u.text, "UIDVALIDITY ");
          v.value_or(0) > 0) {
        uidvalidity_ = *v;
        selected_ = true;
        return absl::OkStatus();
      }
    }
    return absl::FailedPreconditionError(
        absl::StrCat(Name(), ": SELECT gave no UIDVALIDITY, so messages cannot be named safely"));
  }

  // Moves the message `key` into `folder` (see mail_source.h).
  absl::Status Move(const std::string& key, const std::string& folder, bool seen,
                    bool* folder_ready) {
    IOB_ASSIGN_OR_RETURN(const MessageKey k, ParseKey(key));
    IOB_RETURN_IF_ERROR(EnsureFolder(folder, folder_ready));
    IOB_RETURN_IF_ERROR(Select());
    if (uidvalidity_ != k.validity) {
      return absl::FailedPreconditionError(absl::StrCat(
          Name(), ": message ", key, " is from before the mailbox was reset (UIDVALIDITY is now ",
          uidvalidity_, "); the next Fetch hands it over under a new key"));
    }
    if (!capabilities_.has_value()) {
      IOB_ASSIGN_OR_RETURN(const Reply reply, Run("CAPABILITY", true));
      capabilities_ = Capabilities{};
      for (const Untagged& u : reply.untagged) {
        absl::string_view text = u.text;
        if (!absl::ConsumePrefix(&text, "CAPABILITY ")) continue;
        for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
          capabilities_->move = capabilities_->move || absl::EqualsIgnoreCase(word, "MOVE");
          capabilities_->uidplus =
              capabilities_->uidplus || absl::EqualsIgnoreCase(word, "UIDPLUS");
        }
      }
    }
    const Capabilities caps = *capabilities_;
    // A UID no longer in the mailbox (moved by an earlier call) makes each
    // of these a no-op that still answers OK.
    if (seen) {
      IOB_RETURN_IF_ERROR(
          Run(absl::StrCat("UID STORE ", k.uid, " +FLAGS.SILENT (\\Seen)"), true).status());
    }
    if (caps.move) return Run(absl::StrCat("UID MOVE ", k.uid, " ", Quote(folder)), true).status();
    IOB_RETURN_IF_ERROR(Run(absl::StrCat("UID COPY ", k.uid, " ", Quote(folder)), true).status());
    IOB_RETURN_IF_ERROR(
        Run(absl::StrCat("UID STORE ", k.uid, " +FLAGS.SILENT (\\Deleted)"), true).status());
    // Without UIDPLUS, EXPUNGE also removes what others flagged \Deleted.
    return Run(caps.uidplus ? absl::StrCat("UID EXPUNGE ", k.uid) : "EXPUNGE", true).status();
  }

  // Creates `folder` (and subscribes to it, for mail clients' folder lists)
  // unless it exists; once per source.
  absl::Status EnsureFolder(const std::string& folder, bool* ready) {
    if (*ready) return absl::OkStatus();
    IOB_ASSIGN_OR_RETURN(const Reply list, Run("LIST \"\" " + Quote(folder), false));
    const bool exists = absl::c_any_of(
        list.untagged, [](const Untagged& u) { return absl::StartsWith(u.text, "LIST "); });
    if (!exists) {
      IOB_RETURN_IF_ERROR(Run("CREATE " + Quote(folder), false).status());
      IOB_RETURN_IF_ERROR(Run("SUBSCRIBE " + Quote(folder), false).status());
    }
    *ready = true;
    return absl::OkStatus();
  }

  // The easy handle, made on first use; its connection is kept between
  // commands and calls.
  CURL* Handle() {
    if (curl_ != nullptr) return curl_.get();
    http::CurlGlobalInitOnce();
    curl_.reset(curl_easy_init());
    CURL* c = curl_.get();
    if (c == nullptr) return nullptr;
    const long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(options_.timeout));
    curl_easy_setopt(c, CURLOPT_URL, url_.connect_url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignore *_proxy from the environment
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    // STARTTLS is required for imap://: curl fails rather than log in in clear.
    curl_easy_setopt(c, CURLOPT_USE_SSL, options_.plain ? CURLUSESSL_NONE : CURLUSESSL_ALL);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    if (!options_.oauth2_token.empty()) {
      curl_easy_setopt(c, CURLOPT_XOAUTH2_BEARER, options_.oauth2_token.c_str());
      // Only the bearer mechanisms: never a password login with an empty password.
      curl_easy_setopt(c, CURLOPT_LOGIN_OPTIONS, "AUTH=OAUTHBEARER;AUTH=XOAUTH2");
    } else {
      curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
    }
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(
        c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
        static_cast<long>(absl::ToInt64Seconds(absl::Ceil(options_.timeout, absl::Seconds(1)))));
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kReceiveBuffer);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer_);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &DiscardBody);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_);
    // The debug stream only flows with VERBOSE; with a DEBUGFUNCTION nothing
    // is printed.
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &OnDebug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &transfer_);
    return c;
  }

  // Closes the connection (whatever is left unread on it goes with it) and
  // forgets what it knew. The socket is shut down first, so libcurl's
  // LOGOUT fails at once instead of reading the rest of a reply we refused
  // (a message of any size) while it waits for the LOGOUT's answer.
  void Drop() {
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (curl_ != nullptr &&
        curl_easy_getinfo(curl_.get(), CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK &&
        socket != CURL_SOCKET_BAD) {
      shutdown(socket, SHUT_RDWR);  // libcurl still owns (and closes) the descriptor
    }
    curl_.reset();
    selected_ = false;
    capabilities_.reset();
  }

  absl::Status CurlError(CURLcode rc) const {
    switch (rc) {
      case CURLE_LOGIN_DENIED: {
        // The last line the server sent: its answer to the login.
        absl::string_view last = absl::StripTrailingAsciiWhitespace(transfer_.stream);
        last = last.substr(last.rfind('\n') + 1);
        return absl::UnauthenticatedError(absl::StrCat(
            Name(), ": login as \"", Safe(options_.username), "\" refused: ", Safe(last)));
      }
      case CURLE_USE_SSL_FAILED:
        return absl::FailedPreconditionError(
            absl::StrCat(Name(),
                         ": the server offers no STARTTLS, which is required (plain IMAP only to a "
                         "loopback server)"));
      default:
        return absl::UnavailableError(Safe(absl::StrCat(Name(), ": ", curl_easy_strerror(rc),
                                                        error_[0] != '\0' ? ": " : "", error_)));
    }
  }

  // Text from the server or from curl made fit for an error message: no
  // control characters, bounded, never the password or token (in clear or
  // in the base64 a SASL exchange carries, should a server echo it).
  std::string Safe(absl::string_view text) const {
    std::string out(text.substr(0, kMaxErrorText));
    for (char& c : out) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) c = ' ';
    }
    for (const std::string* secret : {&options_.password, &options_.oauth2_token}) {
      if (secret->empty()) continue;
      const std::string plain_ir =
          absl::StrCat(std::string(1, '\0'), options_.username, std::string(1, '\0'), *secret);
      out = absl::StrReplaceAll(out, {{*secret, "[redacted]"},
                                      {absl::Base64Escape(*secret), "[redacted]"},
                                      {absl::Base64Escape(plain_ir), "[redacted]"}});
    }
    return out;
  }

  struct Capabilities {
    bool move = false;
    bool uidplus = false;
  };

  const ImapOptions options_;
  const ImapUrl url_;
  http::CurlEasy curl_;
  char error_[CURL_ERROR_SIZE] = {};
  Transfer transfer_;  // the callbacks' target during Run
  // What the current connection knows; forgotten with it.
  bool selected_ = false;
  uint32_t uidvalidity_ = 0;
  std::optional<Capabilities> capabilities_;
  // Folders known to exist (for the source's lifetime).
  bool processed_ready_ = false;
  bool quarantine_ready_ = false;
};

}  // namespace

absl::Status ImapOptions::Check() const {
  IOB_ASSIGN_OR_RETURN(const ImapUrl parsed, ParseImapUrl(url));
  if (plain && parsed.scheme != "imap") {
    return common::InvalidField("imap.plain", "is only for imap:// URLs");
  }
  if (plain && !IsLoopbackHost(parsed.host)) {
    return common::InvalidField(
        "imap.plain", "is only allowed for a loopback server (127.0.0.0/8, ::1, localhost)");
  }
  IOB_RETURN_IF_ERROR(common::CheckText(username, "imap.username", 256, true));
  if (password.empty() && oauth2_token.empty()) {
    return common::InvalidField("imap.password", "is required (or imap.oauth2_token)");
  }
  if (!password.empty() && !oauth2_token.empty()) {
    return common::InvalidField("imap.oauth2_token", "cannot be combined with imap.password");
  }
  IOB_RETURN_IF_ERROR(common::CheckText(password, "imap.password", kMaxSecret, false));
  IOB_RETURN_IF_ERROR(common::CheckText(oauth2_token, "imap.oauth2_token", kMaxSecret, false));
  IOB_RETURN_IF_ERROR(CheckFolder(processed_folder, "imap.processed_folder"));
  IOB_RETURN_IF_ERROR(CheckFolder(quarantine_folder, "imap.quarantine_folder"));
  if (SameMailbox(processed_folder, quarantine_folder)) {
    return common::InvalidField("imap.quarantine_folder", "must differ from imap.processed_folder");
  }
  for (const auto& [folder, field] : {std::pair{&processed_folder, "imap.processed_folder"},
                                      std::pair{&quarantine_folder, "imap.quarantine_folder"}}) {
    if (SameMailbox(*folder, parsed.mailbox)) {
      return common::InvalidField(field, "must differ from the mailbox read (imap.url)");
    }
  }
  if (timeout <= absl::ZeroDuration()) {
    return common::InvalidField("imap.timeout", "must be positive");
  }
  if (max_message_bytes == 0) {
    return common::InvalidField("imap.max_message_bytes", "must be positive");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<MailSource>> OpenImap(const ImapOptions& options) {
  IOB_RETURN_IF_ERROR(options.Check());
  IOB_ASSIGN_OR_RETURN(ImapUrl url, ParseImapUrl(options.url));
  return std::make_unique<ImapSource>(options, std::move(url));
}

}  // namespace iob::invoice
