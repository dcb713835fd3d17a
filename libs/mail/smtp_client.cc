// SMTP with libcurl. The relay's reply text is read from curl's debug stream
// (the server lines it received), because curl itself only keeps the code.
#include "libs/mail/smtp_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"
#include "libs/http/curl_handles.h"
#include "libs/mail/message.h"

namespace iob::mail {
namespace {

constexpr size_t kMaxReplyText = 512;
constexpr size_t kMaxUsername = 256;

// The parts of an SMTP URL Check looks at, as libcurl itself reads them.
struct SmtpUrl {
  std::string scheme;  // "smtp" or "smtps"
  std::string host;    // without brackets
  bool has_userinfo = false;
  bool has_path = false;  // a path other than "/", a query or a fragment
};

// One part of `url`, or "" when it is absent.
std::string UrlPart(CURLU* url, CURLUPart part) {
  char* raw = nullptr;
  if (curl_url_get(url, part, &raw, 0) != CURLUE_OK || raw == nullptr) return "";
  http::CurlString value(raw);
  return value.get();
}

absl::StatusOr<SmtpUrl> ParseSmtpUrl(const std::string& text) {
  if (text.empty()) return common::InvalidField("smtp.url", "is required");
  http::CurlUrl url(curl_url());
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK) {
    return common::InvalidField("smtp.url", "is not a URL");
  }
  SmtpUrl parsed;
  parsed.scheme = absl::AsciiStrToLower(UrlPart(url.get(), CURLUPART_SCHEME));
  parsed.host = absl::AsciiStrToLower(UrlPart(url.get(), CURLUPART_HOST));
  if (parsed.host.size() > 2 && parsed.host.front() == '[' && parsed.host.back() == ']') {
    parsed.host = parsed.host.substr(1, parsed.host.size() - 2);
  }
  parsed.has_userinfo = !UrlPart(url.get(), CURLUPART_USER).empty() ||
                        !UrlPart(url.get(), CURLUPART_PASSWORD).empty();
  const std::string path = UrlPart(url.get(), CURLUPART_PATH);
  parsed.has_path = (!path.empty() && path != "/") ||
                    !UrlPart(url.get(), CURLUPART_QUERY).empty() ||
                    !UrlPart(url.get(), CURLUPART_FRAGMENT).empty();
  return parsed;
}

// 127.0.0.0/8, ::1 or "localhost" (which libcurl resolves to loopback itself).
bool IsLoopbackHost(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6;
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool IsHostName(absl::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return false;
  }
  return true;
}

// One SMTP reply: "250-a" / "250 b" lines joined as "a b".
struct Reply {
  int code = 0;
  std::string text;
};

// Reads the server's replies out of curl's debug stream. Replies that answer
// our QUIT are ignored: the reply that decides a send is the one before it.
class ReplyReader {
 public:
  void OnIncoming(absl::string_view data) {
    if (quitting_) return;
    partial_.append(data.data(), data.size());
    size_t eol;
    while ((eol = partial_.find('\n')) != std::string::npos) {
      OnLine(absl::StripTrailingAsciiWhitespace(absl::string_view(partial_).substr(0, eol)));
      partial_.erase(0, eol + 1);
    }
  }
  void OnOutgoing(absl::string_view data) {
    if (absl::StartsWithIgnoreCase(data, "QUIT")) quitting_ = true;
  }
  // The last complete reply (code 0 when none arrived).
  const Reply& last() const { return last_; }

 private:
  void OnLine(absl::string_view line) {
    int code = 0;
    if (line.size() < 3 || !absl::SimpleAtoi(line.substr(0, 3), &code) || code < 100) return;
    const bool more = line.size() > 3 && line[3] == '-';
    const absl::string_view text =
        absl::StripLeadingAsciiWhitespace(line.size() > 4 ? line.substr(4) : "");
    if (pending_.code != code) pending_ = Reply{code, ""};
    if (!text.empty()) absl::StrAppend(&pending_.text, pending_.text.empty() ? "" : " ", text);
    if (!more) {
      last_ = std::move(pending_);
      pending_ = Reply{};
    }
  }

  std::string partial_;
  Reply pending_;
  Reply last_;
  bool quitting_ = false;
};

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* userp) {
  auto* reader = static_cast<ReplyReader*>(userp);
  if (type == CURLINFO_HEADER_IN) reader->OnIncoming(absl::string_view(data, size));
  if (type == CURLINFO_HEADER_OUT) reader->OnOutgoing(absl::string_view(data, size));
  return 0;
}

struct Upload {
  absl::string_view data;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* upload = static_cast<Upload*>(userp);
  const size_t n = std::min(size * nitems, upload->data.size() - upload->offset);
  std::memcpy(buffer, upload->data.data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// Text from the relay or from curl, made fit for a log line and a database
// column: no control characters, bounded, and never the password (in clear
// or as the base64 an AUTH PLAIN / LOGIN line carries, should a relay echo it).
std::string SafeText(absl::string_view text, const SmtpOptions& options) {
  std::string out(text.substr(0, kMaxReplyText));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  if (!options.password.empty()) {
    const std::string plain_ir = absl::StrCat(std::string(1, '\0'), options.username,
                                              std::string(1, '\0'), options.password);
    out = absl::StrReplaceAll(out, {{options.password, "[redacted]"},
                                    {absl::Base64Escape(options.password), "[redacted]"},
                                    {absl::Base64Escape(plain_ir), "[redacted]"}});
  }
  return out;
}

SendOutcome Classify(CURLcode rc, int code) {
  if (rc == CURLE_OK) return SendOutcome::kDelivered;
  if (code >= 400 && code < 500) return SendOutcome::kTransient;
  if (code >= 500 && code < 600) return SendOutcome::kPermanent;
  return SendOutcome::kUnreachable;
}

// Options and envelope checked before anything goes on the wire: the
// addresses end up in MAIL FROM / RCPT TO command lines.
absl::Status CheckSend(const SmtpOptions& options, const std::string& envelope_from,
                       const std::vector<std::string>& recipients) {
  IOB_RETURN_IF_ERROR(options.Check());
  IOB_RETURN_IF_ERROR(ValidateAddress(envelope_from, "envelope_from"));
  if (recipients.empty()) return common::InvalidField("recipients", "needs at least one");
  for (size_t i = 0; i < recipients.size(); ++i) {
    IOB_RETURN_IF_ERROR(ValidateAddress(recipients[i], absl::StrCat("recipients[", i, "]")));
  }
  return absl::OkStatus();
}

// The URL curl connects to; its path is the EHLO name.
std::string CurlUrl(const SmtpOptions& options) {
  if (options.helo_name.empty()) return options.url;
  http::CurlUrl url(curl_url());
  curl_url_set(url.get(), CURLUPART_URL, options.url.c_str(), 0);
  curl_url_set(url.get(), CURLUPART_PATH, ("/" + options.helo_name).c_str(), 0);
  return UrlPart(url.get(), CURLUPART_URL);
}

}  // namespace

absl::Status SmtpOptions::Check() const {
  IOB_ASSIGN_OR_RETURN(const SmtpUrl parsed, ParseSmtpUrl(url));
  if (parsed.scheme != "smtp" && parsed.scheme != "smtps") {
    return common::InvalidField("smtp.url",
                                "must be smtp:// (STARTTLS) or smtps:// (implicit TLS)");
  }
  if (parsed.host.empty()) return common::InvalidField("smtp.url", "has no host");
  if (parsed.has_userinfo) {
    return common::InvalidField("smtp.url", "must not hold credentials (use smtp.username)");
  }
  if (parsed.has_path) {
    return common::InvalidField("smtp.url", "must have no path (the EHLO name is smtp.helo_name)");
  }
  if (plain && parsed.scheme != "smtp") {
    return common::InvalidField("smtp.plain", "is only for smtp:// URLs");
  }
  if (plain && !IsLoopbackHost(parsed.host)) {
    return common::InvalidField(
        "smtp.plain", "is only allowed for a loopback relay (127.0.0.0/8, ::1, localhost)");
  }
  IOB_RETURN_IF_ERROR(common::CheckText(username, "smtp.username", kMaxUsername, false));
  if (!username.empty() && password.empty()) {
    return common::InvalidField("smtp.password", "is required with smtp.username");
  }
  if (username.empty() && !password.empty()) {
    return common::InvalidField("smtp.username", "is required with a password");
  }
  if (!helo_name.empty() && !IsHostName(helo_name)) {
    return common::InvalidField("smtp.helo_name", "must be a host name");
  }
  if (timeout <= absl::ZeroDuration())
    return common::InvalidField("smtp.timeout", "must be positive");
  return absl::OkStatus();
}

absl::string_view SendOutcomeLabel(SendOutcome outcome) {
  switch (outcome) {
    case SendOutcome::kDelivered:
      return "delivered";
    case SendOutcome::kTransient:
      return "transient";
    case SendOutcome::kPermanent:
      return "permanent";
    case SendOutcome::kUnreachable:
      return "unreachable";
  }
  return "unreachable";
}

SmtpClient::SmtpClient(SmtpOptions options) : options_(std::move(options)) {}

SendResult SmtpClient::Send(const std::string& envelope_from,
                            const std::vector<std::string>& recipients,
                            const std::string& message) const {
  const absl::Time start = absl::Now();
  SendResult result;
  if (absl::Status valid = CheckSend(options_, envelope_from, recipients); !valid.ok()) {
    result.outcome = SendOutcome::kPermanent;  // no retry fixes a bad address or setting
    result.reply_text = SafeText(valid.message(), options_);
    return result;
  }
  http::CurlGlobalInitOnce();

  // Declared before the handle: curl's callbacks use them until cleanup.
  ReplyReader replies;
  Upload upload{message};
  char error[CURL_ERROR_SIZE] = {0};
  http::CurlSlist rcpt;
  for (const std::string& r : recipients) {
    rcpt.reset(curl_slist_append(rcpt.release(), absl::StrCat("<", r, ">").c_str()));
  }
  const std::string url = CurlUrl(options_);
  const std::string mail_from = absl::StrCat("<", envelope_from, ">");
  const long timeout_ms = static_cast<long>(absl::ToInt64Milliseconds(options_.timeout));

  http::CurlEasy curl(curl_easy_init());
  if (curl == nullptr) {
    result.reply_text = "curl_easy_init failed";  // kUnreachable: worth another try
    return result;
  }
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignore *_proxy from the environment
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  // STARTTLS is required for smtp://: curl fails rather than go on in clear.
  curl_easy_setopt(c, CURLOPT_USE_SSL, options_.plain ? CURLUSESSL_NONE : CURLUSESSL_ALL);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  // The wait for the reply to the end of DATA runs under this (default
  // 120 s) rather than CURLOPT_TIMEOUT: bound it too.
  curl_easy_setopt(
      c, CURLOPT_SERVER_RESPONSE_TIMEOUT,
      static_cast<long>(absl::ToInt64Seconds(absl::Ceil(options_.timeout, absl::Seconds(1)))));
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  // The debug stream only flows with VERBOSE; with a DEBUGFUNCTION nothing
  // is printed.
  curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, &OnDebug);
  curl_easy_setopt(c, CURLOPT_DEBUGDATA, &replies);

  const CURLcode rc = curl_easy_perform(c);
  result.latency = absl::Now() - start;
  const Reply& reply = replies.last();
  result.outcome = Classify(rc, reply.code);
  if (result.outcome == SendOutcome::kUnreachable) {
    result.reply_text = SafeText(
        absl::StrCat(curl_easy_strerror(rc), error[0] != '\0' ? ": " : "", error), options_);
  } else {
    result.reply_code = reply.code;
    result.reply_text = SafeText(reply.text, options_);
  }
  return result;
}

}  // namespace iob::mail
