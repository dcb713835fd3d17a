// Mails delivered per second to a local SMTP server (tests/support/smtp_sink.py,
// no TLS, loopback) through SmtpClient, beside a bare libcurl SMTP send of the
// same ~60 KB message with the same options in the same run. Each send is a
// new connection in both loops, as SmtpClient does. The ratio is SmtpClient's
// rate over the bare rate (1.0 = no overhead of our own).
// Usage: mail_load [messages=200]
#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "libs/mail/message.h"
#include "libs/mail/smtp_client.h"
#include "tests/support/smtp_sink.h"

namespace {

constexpr char kFrom[] = "purchasing@acme.example";
constexpr char kTo[] = "orders@supplier.example";
constexpr size_t kPdfBytes = 44 * 1024;  // ~60 KB once base64-encoded

std::string PurchaseOrderMail() {
  iob::mail::OutgoingMessage m;
  m.from = {"Acme Purchasing", kFrom};
  m.to = {{"Supplier Orders", kTo}};
  m.subject = "Purchase order PO-1001";
  m.message_id = "po.o1001.v1.acme@iob.example";
  m.date = absl::Now();
  m.text = "Please find purchase order PO-1001 attached.\n";
  std::string pdf = "%PDF-1.7\n";
  while (pdf.size() < kPdfBytes) pdf.push_back(static_cast<char>((pdf.size() * 7919) & 0xff));
  m.attachments.push_back({"PO-1001.pdf", "application/pdf", pdf});
  return iob::mail::Compose(m).value();
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t Read(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* u = static_cast<Upload*>(userp);
  const size_t n = std::min(size * nitems, u->data->size() - u->offset);
  std::memcpy(buffer, u->data->data() + u->offset, n);
  u->offset += n;
  return n;
}

// One send with a bare easy handle: SmtpClient's options, no checks, no
// reply capture, no classification. True when curl reports success.
bool BareSend(const std::string& url, const std::string& message) {
  CURL* c = curl_easy_init();
  curl_slist* rcpt = curl_slist_append(nullptr, "<orders@supplier.example>");
  Upload upload{&message};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USE_SSL, CURLUSESSL_NONE);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<purchasing@acme.example>");
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &Read);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  const CURLcode rc = curl_easy_perform(c);
  curl_easy_cleanup(c);
  curl_slist_free_all(rcpt);
  return rc == CURLE_OK;
}

// Runs `send` n times; returns messages per second, or -1 after a failure.
template <typename Send>
double Rate(int n, Send send) {
  const absl::Time start = absl::Now();
  for (int i = 0; i < n; ++i) {
    if (!send()) return -1;
  }
  return n / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::max(1, std::atoi(argv[1])) : 200;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  auto sink = iob::testing::SmtpSink::Start();
  if (!sink.ok()) {
    std::fprintf(stderr, "smtp sink: %s\n", sink.status().ToString().c_str());
    return 1;
  }
  const std::string message = PurchaseOrderMail();
  iob::mail::SmtpOptions options;
  options.url = (*sink)->url();
  options.plain = true;
  const iob::mail::SmtpClient client(options);
  const auto client_send = [&] {
    return client.Send(kFrom, {kTo}, message).outcome == iob::mail::SendOutcome::kDelivered;
  };
  const auto bare_send = [&] { return BareSend(options.url, message); };

  // Warm up both paths (page cache, the sink's first connections).
  if (Rate(5, client_send) < 0 || Rate(5, bare_send) < 0) {
    std::fprintf(stderr, "warm-up send failed; sink log:\n%s\n", (*sink)->ReadLog().c_str());
    return 1;
  }
  // Rounds in the order ours, bare, bare, ours so that drift over the run
  // (the sink's directory growing) weighs on both alike.
  const int half = std::max(1, n / 2);
  const double ours_1 = Rate(half, client_send);
  const double bare_1 = Rate(half, bare_send);
  const double bare_2 = Rate(half, bare_send);
  const double ours_2 = Rate(half, client_send);
  const double ours = (ours_1 + ours_2) / 2;
  const double bare = (bare_1 + bare_2) / 2;
  const size_t accepted = (*sink)->Accepted().size();
  const size_t expected = 4 * half + 10;
  if (std::min({ours_1, ours_2, bare_1, bare_2}) < 0 || accepted != expected) {
    std::fprintf(stderr, "a send failed (accepted %zu of %zu)\n", accepted, expected);
    return 1;
  }
  std::printf("message_bytes=%zu messages_each=%d\n", message.size(), 2 * half);
  std::printf("smtp_client_msgs_per_s=%.1f\n", ours);
  std::printf("bare_libcurl_msgs_per_s=%.1f\n", bare);
  std::printf("ratio=%.3f\n", ours / bare);
  return 0;
}
