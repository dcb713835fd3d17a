// Composing a message with GMime. Every free-text field is sanitised before
// GMime sees it, so header safety does not depend on how GMime quotes.
#include "libs/mail/message.h"

#include <glib.h>
#include <gmime/gmime.h>

#include <memory>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/invalid_field.h"
#include "libs/common/status_macros.h"

namespace iob::mail {
namespace {

constexpr size_t kMaxMessageId = 250;  // keeps "Message-ID: <...>" on one line

void InitGMimeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// Owning pointers for the GLib objects we create; each is released exactly
// once whatever path Compose leaves by.
struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
struct FormatOptionsFree {
  void operator()(GMimeFormatOptions* p) const { g_mime_format_options_free(p); }
};
struct DateTimeUnref {
  void operator()(GDateTime* p) const { g_date_time_unref(p); }
};
struct GFree {
  void operator()(gchar* p) const { g_free(p); }
};

// Any UTF-8 made safe for a header: invalid sequences become U+FFFD, and C0
// controls (CR, LF, TAB, NUL, ...), DEL, C1 controls and the Unicode line and
// paragraph separators become a space, so nothing can end or fold a header.
std::string SanitiseHeaderText(absl::string_view text) {
  std::string ascii_safe(text);
  for (char& c : ascii_safe) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  std::unique_ptr<gchar, GFree> valid(
      g_utf8_make_valid(ascii_safe.data(), static_cast<gssize>(ascii_safe.size())));
  std::string out;
  for (const gchar* p = valid.get(); *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar u = g_utf8_get_char(p);
    if ((u >= 0x80 && u <= 0x9f) || u == 0x2028 || u == 0x2029) {
      out.push_back(' ');
    } else {
      out.append(p, g_utf8_next_char(p) - p);
    }
  }
  return out;
}

// The body as valid UTF-8 with "\n" line ends (GMime writes them as CRLF).
std::string NormaliseBody(absl::string_view text) {
  std::unique_ptr<gchar, GFree> valid(
      g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return absl::StrReplaceAll(valid.get(), {{"\r\n", "\n"}, {"\r", "\n"}});
}

absl::Status CheckMessageId(absl::string_view id) {
  const size_t at = id.find('@');
  if (id.size() > kMaxMessageId || at == absl::string_view::npos ||
      !common::IsDotAtom(id.substr(0, at)) || !common::IsDotAtom(id.substr(at + 1))) {
    return common::InvalidField("message_id", "must be dot-atom@dot-atom without angle brackets");
  }
  return absl::OkStatus();
}

// RFC 2045 token (a MIME type or subtype).
bool IsToken(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || absl::string_view("()<>@,;:\\\"/[]?=").find(c) != s.npos) {
      return false;
    }
  }
  return true;
}

absl::Status CheckMailbox(const Mailbox& mailbox, absl::string_view field) {
  return ValidateAddress(mailbox.address, absl::StrCat(field, ".address"));
}

absl::Status CheckMessage(const OutgoingMessage& message) {
  IOB_RETURN_IF_ERROR(CheckMailbox(message.from, "from"));
  if (message.to.empty()) return common::InvalidField("to", "needs at least one recipient");
  for (size_t i = 0; i < message.to.size(); ++i) {
    IOB_RETURN_IF_ERROR(CheckMailbox(message.to[i], absl::StrCat("to[", i, "]")));
  }
  IOB_RETURN_IF_ERROR(CheckMessageId(message.message_id));
  for (size_t i = 0; i < message.attachments.size(); ++i) {
    const std::string& type = message.attachments[i].content_type;
    const size_t slash = type.find('/');
    if (slash == std::string::npos || !IsToken(absl::string_view(type).substr(0, slash)) ||
        !IsToken(absl::string_view(type).substr(slash + 1))) {
      return common::InvalidField(absl::StrCat("attachments[", i, "].content_type"),
                                  "must be type/subtype");
    }
  }
  return absl::OkStatus();
}

void AddMailbox(GMimeMessage* message, GMimeAddressType type, const Mailbox& mailbox) {
  const std::string name = SanitiseHeaderText(mailbox.name);
  g_mime_message_add_mailbox(message, type, name.empty() ? nullptr : name.c_str(),
                             mailbox.address.c_str());
}

// `bytes` as the (unencoded) content of `part`.
void SetContent(GMimePart* part, absl::string_view bytes) {
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
  GObjectPtr<GMimeDataWrapper> wrapper(
      g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
  g_mime_part_set_content(part, wrapper.get());
}

GObjectPtr<GMimeObject> TextPart(absl::string_view text) {
  GObjectPtr<GMimeTextPart> part(g_mime_text_part_new_with_subtype("plain"));
  g_mime_text_part_set_charset(part.get(), "utf-8");
  SetContent(GMIME_PART(part.get()), NormaliseBody(text));
  g_mime_part_set_content_encoding(GMIME_PART(part.get()), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
  return GObjectPtr<GMimeObject>(GMIME_OBJECT(part.release()));
}

GObjectPtr<GMimeObject> AttachmentPart(const Attachment& attachment) {
  const size_t slash = attachment.content_type.find('/');
  const std::string type = attachment.content_type.substr(0, slash);
  const std::string subtype = attachment.content_type.substr(slash + 1);
  GObjectPtr<GMimePart> part(g_mime_part_new_with_type(type.c_str(), subtype.c_str()));
  g_mime_object_set_disposition(GMIME_OBJECT(part.get()), GMIME_DISPOSITION_ATTACHMENT);
  const std::string file_name = SanitiseHeaderText(attachment.file_name);
  if (!file_name.empty()) g_mime_part_set_filename(part.get(), file_name.c_str());
  SetContent(part.get(), attachment.data);
  g_mime_part_set_content_encoding(part.get(), GMIME_CONTENT_ENCODING_BASE64);
  return GObjectPtr<GMimeObject>(GMIME_OBJECT(part.release()));
}

}  // namespace

absl::Status ValidateAddress(absl::string_view address, absl::string_view field) {
  return common::CheckEmailAddress(address, field, /*required=*/true);
}

absl::StatusOr<std::string> Compose(const OutgoingMessage& message) {
  IOB_RETURN_IF_ERROR(CheckMessage(message));
  InitGMimeOnce();

  GObjectPtr<GMimeMessage> mime(g_mime_message_new(TRUE));
  AddMailbox(mime.get(), GMIME_ADDRESS_TYPE_FROM, message.from);
  for (const Mailbox& to : message.to) AddMailbox(mime.get(), GMIME_ADDRESS_TYPE_TO, to);
  g_mime_message_set_subject(mime.get(), SanitiseHeaderText(message.subject).c_str(), "utf-8");
  std::unique_ptr<GDateTime, DateTimeUnref> date(
      g_date_time_new_from_unix_utc(absl::ToUnixSeconds(message.date)));
  g_mime_message_set_date(mime.get(), date.get());
  g_mime_message_set_message_id(mime.get(), message.message_id.c_str());

  GObjectPtr<GMimeMultipart> mixed(g_mime_multipart_new_with_subtype("mixed"));
  g_mime_multipart_add(mixed.get(), TextPart(message.text).get());
  for (const Attachment& attachment : message.attachments) {
    g_mime_multipart_add(mixed.get(), AttachmentPart(attachment).get());
  }
  g_mime_message_set_mime_part(mime.get(), GMIME_OBJECT(mixed.get()));

  std::unique_ptr<GMimeFormatOptions, FormatOptionsFree> format(g_mime_format_options_new());
  g_mime_format_options_set_newline_format(format.get(), GMIME_NEWLINE_FORMAT_DOS);
  GObjectPtr<GMimeStream> out(g_mime_stream_mem_new());
  if (g_mime_object_write_to_stream(GMIME_OBJECT(mime.get()), format.get(), out.get()) < 0) {
    return absl::InternalError("composing the message failed");
  }
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(out.get()));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

}  // namespace iob::mail
