// Load on invoice intake: `--messages` supplier mails, each with its own
// Message-ID, invoice number and purchase order (so none is a duplicate),
// sent with IngestMessage from `--concurrency` clients; beside it, in the
// same run, the floor: a bare GMime read of the same messages (parse, walk
// every part, decode every leaf) plus, for a PDF invoice, poppler-cpp's text
// of every page (physical layout, as the service reads it), on as many
// threads as there are clients.
//
// IngestMessage stores the message and reads it before it answers (on the
// gRPC thread that took the call: the service reads as many messages at
// once as it has calls in flight), so a message whose answer says PROCESSED
// with one invoice has been stored, routed, its sender recognised, its
// invoice read and recorded, and matched. Anything else counts as an error.
// The mails come from invoices@amazon.com to the tenant's e-invoicing
// address with a receiving server's DKIM / SPF / DMARC pass (the service
// must trust `--authserv-id`), so the sender is verified and the invoice is
// matched against dispatch's orders; there are no orders with these PO
// numbers, so each ends as an exception ("no order") after the whole path.
//
// --format cxml: a cXML InvoiceDetailRequest (three lines) attached as
// invoice.xml. --format pdf: a one-page PDF invoice in Amazon Business's
// layout (libs/pdf RenderInvoice, three lines) attached as invoice.pdf.
//
// The service and the floor take turns (service, floor, floor, service, a
// half of the messages each) so the machine's other work weighs on both.
// Prints both rows (mails/s, p50 / p99), the ratio against the goal
// (>= 0.3x), pgbench's TPC-B TPS beside it when the caller measured it
// (--tpcb-tps, for scale: storing a message is a few write transactions),
// and one JSON line. Exits 1 when a mail was not processed into an invoice
// of its own, 2 on bad flags; a missed goal is printed, not an exit code.
//   intake_load --addr 127.0.0.1:7104 --token-file T --format cxml --messages 10000
#include <glib-object.h>
#include <gmime/gmime.h>
#include <grpcpp/grpcpp.h>
#include <poppler-document.h>
#include <poppler-page.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/load_driver.h"
#include "iob/invoice/v1/invoice_service.grpc.pb.h"
#include "libs/common/flags.h"
#include "libs/common/status_macros.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"
#include "libs/mail/message.h"
#include "libs/pdf/invoice_pdf.h"
#include "libs/runtime/service_host.h"

namespace pb = iob::invoice::v1;

namespace {

constexpr char kFrom[] = "invoices@amazon.com";

// Latencies and errors of one load over its turns.
struct Samples {
  std::vector<double> latencies_ms;
  long errors = 0;
  double seconds = 0;
};

// Calls `call(i)` for every i in [begin, end) from `concurrency` threads,
// each taking the next index, and adds what it saw to `out`.
void RunRange(int concurrency, size_t begin, size_t end, const std::function<bool(size_t)>& call,
              Samples& out) {
  std::atomic<size_t> next{begin};
  std::vector<std::vector<double>> latencies(concurrency);
  std::vector<long> errors(concurrency, 0);
  std::vector<std::thread> threads;
  const absl::Time start = absl::Now();
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = next++; i < end; i = next++) {
        const absl::Time t0 = absl::Now();
        if (!call(i)) ++errors[t];
        latencies[t].push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  out.seconds += absl::ToDoubleSeconds(absl::Now() - start);
  for (int t = 0; t < concurrency; ++t) {
    out.latencies_ms.insert(out.latencies_ms.end(), latencies[t].begin(), latencies[t].end());
    out.errors += errors[t];
  }
}

iob::bench::LoadResult Summarize(const std::string& name, Samples& s) {
  std::sort(s.latencies_ms.begin(), s.latencies_ms.end());
  iob::bench::LoadResult r{.name = name, .errors = s.errors};
  r.calls = static_cast<long>(s.latencies_ms.size());
  r.per_second = s.seconds > 0 ? r.calls / s.seconds : 0;
  if (r.calls > 0) {
    const size_t n = s.latencies_ms.size();
    r.p50_ms = s.latencies_ms[n / 2];
    r.p99_ms = s.latencies_ms[std::min(n - 1, n * 99 / 100)];
  }
  return r;
}

// A cXML InvoiceDetailRequest `number` for `po`: three lines (ASIN-like
// part ids, 2 x 10.50, 1 x 4.25, 3 x 7.99), no tax.
absl::StatusOr<std::string> CxmlInvoice(const std::string& number, const std::string& po) {
  iob::cxml::Document d = iob::cxml::ExampleDocument(iob::cxml::DocumentType::kInvoiceDetailRequest,
                                                     iob::cxml::ExampleDetail::kMinimal);
  d.payload_id = absl::StrCat(number, ".invoice@amazon.com");
  auto& inv = std::get<iob::cxml::InvoiceDetailRequest>(d.body);
  inv.invoice_id = number;
  iob::cxml::InvoiceDetailOrder order;
  order.order_reference.order_id = po;
  order.order_reference.payload_id = absl::StrCat(po, ".order@iob.example");
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"2", "10.50"}, {"1", "4.25"}, {"3", "7.99"}};
  for (size_t n = 0; n < lines.size(); ++n) {
    iob::cxml::InvoiceDetailItem item;
    item.invoice_line_number = absl::StrCat(n + 1);
    item.line_number = absl::StrCat(n + 1);
    item.quantity = lines[n].first;
    item.unit_of_measure = "EA";
    item.unit_price = {lines[n].second, "USD"};
    item.item_id = iob::cxml::ItemId{absl::StrFormat("B0BENCH%03d", n + 1), std::nullopt, ""};
    order.items.push_back(item);
  }
  inv.orders = {order};
  inv.summary.subtotal_amount = {"49.22", "USD"};
  inv.summary.tax = {{"0.00", "USD"}, {"en", "No tax", ""}};
  inv.summary.net_amount = {"49.22", "USD"};
  inv.summary.gross_amount = iob::cxml::Money{"49.22", "USD"};
  return iob::cxml::WriteDocument(d);
}

// A one-page PDF invoice `number` for `po` as Amazon Business UK lays it
// out (libs/pdf): three item rows with their ASINs, 20% VAT, in GBP.
absl::StatusOr<std::string> PdfInvoice(const std::string& number, const std::string& po) {
  iob::pdf::InvoiceSheet sheet;
  sheet.brand = "amazon business";
  sheet.seller = {"Amazon EU S.a.r.l., UK Branch",
                  {"1 Principal Place, Worship Street", "London EC2A 2FA", "United Kingdom"}};
  sheet.seller_vat_number = "GB727255821";
  sheet.invoice_number = number;
  sheet.invoice_date = "6 December 2026";
  sheet.po_number = po;
  sheet.order_number = "026-1234567-7654321";
  sheet.order_date = "4 December 2026";
  sheet.payment_terms = "Pay by invoice: 30 days";
  sheet.payment_due = "5 January 2027";
  sheet.bill_to = {"Acme Ltd, Accounts Payable", {"10 Harbour Road", "Bristol BS1 4AA"}};
  sheet.ship_to = {"Acme Ltd, Goods In", {"12 Harbour Road", "Bristol BS1 4AA"}};
  sheet.currency = "GBP";
  sheet.lines = {
      {"Ballpoint pens, blue, pack of 12", "ASIN: B0BENCH001", "2", "10.50", "20", "21.00"},
      {"Copy paper A4, 80 g/m2, 500 sheets", "ASIN: B0BENCH002", "1", "4.25", "20", "4.25"},
      {"Stapler, heavy duty, 100 sheets", "ASIN: B0BENCH003", "5", "4.79", "20", "23.95"}};
  sheet.subtotal = "49.20";
  sheet.tax = "9.84";
  sheet.total = "59.04";
  return iob::pdf::RenderInvoice(sheet);
}

// The mail as the receiving server hands it on: its Authentication-Results
// (a DKIM, SPF and DMARC pass for amazon.com) over the composed message.
absl::StatusOr<std::string> Mail(const std::string& to, const std::string& authserv_id,
                                 const std::string& id, const std::string& file_name,
                                 const std::string& content_type, const std::string& document) {
  iob::mail::OutgoingMessage m;
  m.from = {"Amazon Business", kFrom};
  m.to = {{"", to}};
  m.subject = absl::StrCat("Your invoice ", id);
  m.message_id = absl::StrCat(id, "@amazon.com");
  m.date = absl::Now();
  m.text = "Your invoice is attached.\n";
  m.attachments.push_back({file_name, content_type, document});
  IOB_ASSIGN_OR_RETURN(std::string composed, iob::mail::Compose(m));
  return absl::StrCat("Authentication-Results: ", authserv_id,
                      "; dkim=pass header.d=amazon.com; spf=pass smtp.mailfrom=amazon.com; "
                      "dmarc=pass header.from=amazon.com\r\n",
                      composed);
}

// What the floor read of one message.
struct BareRead {
  bool pdf = false;  // extract the text of PDF parts
  size_t decoded_bytes = 0;
  size_t text_bytes = 0;
  bool ok = true;
};

void ReadPart(GMimeObject* /*parent*/, GMimeObject* object, gpointer data) {
  auto* read = static_cast<BareRead*>(data);
  if (!GMIME_IS_PART(object)) return;
  GMimeDataWrapper* content = g_mime_part_get_content(GMIME_PART(object));
  if (content == nullptr) return;
  GMimeStream* decoded = g_mime_stream_mem_new();
  g_mime_data_wrapper_write_to_stream(content, decoded);  // undoes the transfer encoding
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded));
  read->decoded_bytes += bytes->len;
  if (read->pdf &&
      g_mime_content_type_is_type(g_mime_object_get_content_type(object), "application", "pdf")) {
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
        reinterpret_cast<const char*>(bytes->data), static_cast<int>(bytes->len)));
    if (doc == nullptr) {
      read->ok = false;
    } else {
      for (int i = 0; i < doc->pages(); ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (page == nullptr) continue;
        read->text_bytes +=
            page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8().size();
      }
    }
  }
  g_object_unref(decoded);
}

// The floor for one message: GMime parses it, every part is walked and
// every leaf decoded; with `pdf`, poppler reads the text of every page of
// each PDF part. False when GMime finds no message or poppler no PDF, or
// nothing was decoded.
bool ReadBare(const std::string& raw, bool pdf) {
  GMimeStream* stream =
      g_mime_stream_mem_new_with_buffer(raw.data(), static_cast<gsize>(raw.size()));
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  BareRead read{.pdf = pdf};
  if (message != nullptr) {
    g_mime_message_foreach(message, &ReadPart, &read);
    g_object_unref(message);
  }
  g_object_unref(parser);
  g_object_unref(stream);
  return message != nullptr && read.ok && read.decoded_bytes > 0 && (!pdf || read.text_bytes > 0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:7104", token_file, tenant = "acme", format = "cxml", run_id,
              authserv_id = "mx.iob.localhost", tpcb_tps_text = "0";
  int messages = 10000, concurrency = 8;
  iob::common::Flags flags(
      "intake_load",
      "IngestMessage throughput of invoice intake beside a bare GMime (+ poppler) read.");
  flags.Add("addr", &addr, "invoice intake address");
  flags.Add("token-file", &token_file, "bearer token with messages.ingest and invoices.read");
  flags.Add("tenant", &tenant, "tenant whose e-invoicing address the mails go to");
  flags.Add("format", &format, "the invoice attached: cxml or pdf");
  flags.Add("messages", &messages, "messages to ingest (and to read for the floor)");
  flags.Add("concurrency", &concurrency, "concurrent clients (and threads of the floor)");
  flags.Add("authserv-id", &authserv_id,
            "receiving server named in Authentication-Results (one the service trusts)");
  flags.Add("run-id", &run_id, "invoice and PO number prefix of this run (default: random)");
  flags.Add("tpcb-tps", &tpcb_tps_text,
            "pgbench TPC-B TPS of the same run, printed beside for information (0: none)");
  if (!flags.Parse(argc, argv).ok()) return 2;
  double tpcb_tps = 0;
  if ((format != "cxml" && format != "pdf") || messages < 2 || concurrency < 1 ||
      !absl::SimpleAtod(tpcb_tps_text, &tpcb_tps)) {
    std::fprintf(stderr,
                 "--format cxml|pdf, --messages >= 2, --concurrency >= 1, --tpcb-tps a number\n");
    return 2;
  }
  auto token_text = iob::runtime::ReadFile(token_file);
  if (!token_text.ok()) {
    std::fprintf(stderr, "--token-file: %s\n", token_text.status().ToString().c_str());
    return 2;
  }
  const std::string bearer = "Bearer " + std::string(absl::StripAsciiWhitespace(*token_text));
  if (run_id.empty()) {
    // Five letters or digits from the clock: numbers short enough to print
    // on one line of the invoice, as real ones do ("INV-K3F9Q-10015").
    constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int64_t t = absl::ToUnixMicros(absl::Now()) / 1000; run_id.size() < 5; t /= 36) {
      run_id.push_back(kDigits[t % 36]);
    }
  }
  const bool pdf = format == "pdf";
  g_mime_init();

  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto stub = pb::InvoiceService::NewStub(channel);
  std::string to;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearer);
    pb::GetInvoicingAddressRequest req;
    req.set_parent("tenants/" + tenant);
    pb::InvoicingAddress resp;
    const grpc::Status st = stub->GetInvoicingAddress(&ctx, req, &resp);
    if (!st.ok()) {
      std::fprintf(stderr, "GetInvoicingAddress: %s\n", st.error_message().c_str());
      return 1;
    }
    to = resp.address();
  }

  // The warm-up's messages (peer channels, prepared statements, caches),
  // then the measured ones; all made before anything is timed, on as many
  // threads as there are clients (a PDF takes milliseconds to render).
  const size_t warmup = 2 * concurrency;
  const size_t total = warmup + messages;
  std::vector<std::string> raw(total);
  absl::Mutex mu;
  std::string first_error;
  const auto make = [&](size_t i) -> absl::StatusOr<std::string> {
    const std::string number = absl::StrCat("INV-", run_id, "-", i);
    const std::string po = absl::StrCat("PO-", run_id, "-", i);
    IOB_ASSIGN_OR_RETURN(std::string document,
                         pdf ? PdfInvoice(number, po) : CxmlInvoice(number, po));
    return Mail(to, authserv_id, number, pdf ? "invoice.pdf" : "invoice.xml",
                pdf ? "application/pdf" : "text/xml", document);
  };
  Samples made;
  RunRange(
      concurrency, 0, total,
      [&](size_t i) {
        absl::StatusOr<std::string> mail = make(i);
        if (mail.ok()) {
          raw[i] = *std::move(mail);
          return true;
        }
        absl::MutexLock lock(&mu);
        if (first_error.empty()) first_error = mail.status().ToString();
        return false;
      },
      made);
  if (made.errors > 0) {
    std::fprintf(stderr, "making the mails failed: %s\n", first_error.c_str());
    return 1;
  }
  size_t bytes = 0;
  for (const std::string& r : raw) bytes += r.size();

  std::vector<std::string> invoice_of(total);  // the invoice each message became
  const auto ingest = [&](size_t i) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", bearer);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    pb::IngestMessageRequest req;
    req.set_raw(raw[i]);
    pb::Message resp;
    const grpc::Status st = stub->IngestMessage(&ctx, req, &resp);
    const bool ok = st.ok() && resp.state() == pb::MESSAGE_STATE_PROCESSED &&
                    resp.invoices_size() == 1 && !resp.duplicate();
    if (ok) invoice_of[i] = resp.invoices(0);
    absl::MutexLock lock(&mu);
    if (!ok && first_error.empty()) {
      first_error =
          st.ok() ? absl::StrCat("message ", resp.name(), " state ",
                                 pb::MessageState_Name(resp.state()), ", ", resp.invoices_size(),
                                 " invoices, duplicate ", resp.duplicate(), ": ", resp.reason())
                  : absl::StrCat("IngestMessage: ", st.error_message());
    }
    return ok;
  };
  const auto bare = [&](size_t i) { return ReadBare(raw[i], pdf); };

  Samples ignored;
  RunRange(concurrency, 0, warmup, ingest, ignored);
  RunRange(concurrency, 0, warmup, bare, ignored);
  if (ignored.errors > 0) {
    std::fprintf(stderr, "the warm-up failed: %s\n",
                 first_error.empty() ? "the bare read failed" : first_error.c_str());
    return 1;
  }
  Samples service, floor;
  const size_t half = warmup + messages / 2;
  RunRange(concurrency, warmup, half, ingest, service);
  RunRange(concurrency, warmup, half, bare, floor);
  RunRange(concurrency, half, total, bare, floor);
  RunRange(concurrency, half, total, ingest, service);

  // Each message its own invoice: one read as a copy of another (a number
  // misread) would have skipped recording a new one.
  const std::set<std::string> distinct(invoice_of.begin() + warmup, invoice_of.end());
  if (service.errors == 0 && distinct.size() != static_cast<size_t>(messages)) {
    service.errors = messages - static_cast<long>(distinct.size());
    first_error = absl::StrCat(messages, " messages became ", distinct.size(), " invoices");
  }
  const std::string kind = pdf ? "PDF" : "cXML";
  std::vector<iob::bench::LoadResult> rows = {
      Summarize(pdf ? "bare GMime + poppler text (floor)" : "bare GMime parse (floor)", floor),
      Summarize(absl::StrCat("IngestMessage ", kind, " -> processed"), service)};
  std::printf(
      "intake %s mails: %d messages of %zu bytes on average, %d clients; the floor on %d "
      "threads, same messages; each message stored, routed, sender verified, invoice read, "
      "recorded and matched (no order: exception)\n",
      kind.c_str(), messages, bytes / total, concurrency, concurrency);
  iob::bench::PrintResults(rows);
  std::printf("floors of the same run:\n");
  // The goal is against the bare read; pgbench's TPC-B (a write transaction
  // of a few statements, as storing a message is) is there for scale.
  std::vector<iob::bench::FloorRow> floors = {{.figure = absl::StrCat(kind, " mails/s"),
                                               .value = rows[1].per_second,
                                               .floor = rows[0].name,
                                               .floor_value = rows[0].per_second,
                                               .target = 0.3}};
  if (tpcb_tps > 0) {
    floors.push_back({.figure = floors[0].figure,
                      .value = rows[1].per_second,
                      .floor = "pgbench TPC-B TPS (information)",
                      .floor_value = tpcb_tps});
  }
  const bool met = iob::bench::PrintFloors(floors);
  std::printf("target: %s\n", met ? "met" : "MISSED");
  std::printf(
      "{\"load\":\"intake %s\",\"messages\":%d,\"message_bytes\":%zu,\"concurrency\":%d,"
      "\"msgs_per_second\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"errors\":%ld,"
      "\"floor_msgs_per_second\":%.1f,\"ratio\":%.3f}\n",
      kind.c_str(), messages, bytes / total, concurrency, rows[1].per_second, rows[1].p50_ms,
      rows[1].p99_ms, rows[1].errors, rows[0].per_second,
      rows[0].per_second > 0 ? rows[1].per_second / rows[0].per_second : 0);
  if (!first_error.empty()) std::fprintf(stderr, "first error: %s\n", first_error.c_str());
  return rows[0].errors == 0 && rows[1].errors == 0 ? 0 : 1;
}
