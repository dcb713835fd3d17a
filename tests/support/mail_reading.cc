#include "tests/support/mail_reading.h"

#include <poppler-document.h>
#include <poppler-page.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"

namespace iob::testing {
namespace {

std::vector<ParsedAddress> Addresses(InternetAddressList* list) {
  std::vector<ParsedAddress> out;
  for (int i = 0; list != nullptr && i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    ParsedAddress p;
    if (const char* name = internet_address_get_name(a)) p.name = name;
    if (INTERNET_ADDRESS_IS_MAILBOX(a)) {
      p.address = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    }
    out.push_back(std::move(p));
  }
  return out;
}

ParsedPart Part(GMimeObject* object) {
  ParsedPart p;
  gchar* type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(object));
  p.content_type = type;
  g_free(type);
  if (const char* cs = g_mime_object_get_content_type_parameter(object, "charset")) p.charset = cs;
  if (const char* d = g_mime_object_get_disposition(object)) p.disposition = d;
  if (GMIME_IS_PART(object)) {
    GMimePart* part = GMIME_PART(object);
    if (const char* f = g_mime_part_get_filename(part)) p.file_name = f;
    p.encoding = g_mime_part_get_content_encoding(part);
    if (GMimeDataWrapper* content = g_mime_part_get_content(part)) {
      GMimeStream* out = g_mime_stream_mem_new();
      g_mime_data_wrapper_write_to_stream(content, out);  // decodes the transfer encoding
      GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out));
      p.data.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
      g_object_unref(out);
    }
  }
  return p;
}

}  // namespace

absl::StatusOr<ParsedMail> ParseMail(const std::string& raw) {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
  GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
  g_object_unref(parser);
  g_object_unref(stream);
  if (message == nullptr) return absl::InvalidArgumentError("GMime found no message");

  ParsedMail mail;
  GMimeHeaderList* list = g_mime_object_get_header_list(GMIME_OBJECT(message));
  for (int i = 0; i < g_mime_header_list_get_count(list); ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(list, i);
    const char* value = g_mime_header_get_raw_value(h);
    mail.headers.emplace_back(g_mime_header_get_name(h),
                              absl::StripAsciiWhitespace(value != nullptr ? value : ""));
  }
  if (const char* s = g_mime_message_get_subject(message)) mail.subject = s;
  mail.from = Addresses(g_mime_message_get_from(message));
  mail.to = Addresses(g_mime_message_get_to(message));
  mail.cc = Addresses(g_mime_message_get_cc(message));
  mail.bcc = Addresses(g_mime_message_get_bcc(message));
  if (const char* id = g_mime_message_get_message_id(message)) mail.message_id = id;
  if (GDateTime* date = g_mime_message_get_date(message))
    mail.date_unix = g_date_time_to_unix(date);
  GMimeObject* body = g_mime_message_get_mime_part(message);
  if (body != nullptr) {
    gchar* type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(body));
    mail.content_type = type;
    g_free(type);
    if (GMIME_IS_MULTIPART(body)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(body);
      for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
        mail.parts.push_back(Part(g_mime_multipart_get_part(multipart, i)));
      }
    } else {
      mail.parts.push_back(Part(body));
    }
  }
  g_object_unref(message);
  return mail;
}

std::vector<std::string> ParsedMail::Header(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : headers) {
    if (g_ascii_strcasecmp(n.c_str(), name.c_str()) == 0) out.push_back(v);
  }
  return out;
}

std::string ParsedMail::Text() const {
  for (const ParsedPart& p : parts) {
    if (p.content_type == "text/plain" && p.file_name.empty()) return p.data;
  }
  return "";
}

std::vector<ParsedPart> ParsedMail::Attachments() const {
  std::vector<ParsedPart> out;
  for (const ParsedPart& p : parts) {
    if (!p.file_name.empty()) out.push_back(p);
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> PdfPages(const std::string& data) {
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(data.data(), static_cast<int>(data.size())));
  if (doc == nullptr) return absl::InvalidArgumentError("poppler cannot open the PDF");
  std::vector<std::string> pages;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    poppler::byte_array text = page == nullptr ? poppler::byte_array() : page->text().to_utf8();
    pages.emplace_back(text.begin(), text.end());
  }
  return pages;
}

}  // namespace iob::testing
