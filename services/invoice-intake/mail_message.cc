// Reading a message in three steps:
//  1. A line scan of the raw bytes (CheckShape) counts what GMime would build --
//     container nesting, leaf parts, header bytes -- the way GMime's parser
//     splits a message (header blocks end at a blank line; a line
//     "--boundary" or "--boundary--" of any open multipart closes everything
//     opened inside it), and refuses a message over a limit before GMime
//     sees it. GMime 3.2's parser recurses once per nesting level and only
//     stops at 1024 levels (gmime-parser.c MAX_LEVEL), so this scan is what
//     keeps a 100-deep multipart from costing 100 levels of recursion.
//  2. GMime parses the message (content stays in the parser's memory
//     stream until decoded).
//  3. A walk of GMime's tree collects the headers and decodes each leaf,
//     checking the limits again, since GMime may split a broken message
//     differently from the scan.
#include "services/invoice-intake/mail_message.h"

#include <glib.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/common/status_macros.h"

namespace iob::invoice {
namespace {

// ---- GLib ownership --------------------------------------------------------

struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GObjectPtr = std::unique_ptr<T, GObjectUnref>;
struct GFree {
  void operator()(gchar* p) const { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFree>;

void InitGMimeOnce() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

// ---- text ------------------------------------------------------------------

// `text` as valid UTF-8 with C0 controls, DEL, C1 controls and the Unicode
// line / paragraph separators replaced by `replacement`.
std::string CleanText(absl::string_view text, char replacement) {
  GCharPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  std::string out;
  for (const gchar* p = valid.get(); *p != '\0'; p = g_utf8_next_char(p)) {
    const gunichar u = g_utf8_get_char(p);
    if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029) {
      out.push_back(replacement);
    } else {
      out.append(p, g_utf8_next_char(p) - p);
    }
  }
  return out;
}

// A raw (folded) header value unfolded and trimmed.
std::string Unfold(const char* raw) {
  std::string out;
  for (const char* p = raw; p != nullptr && *p != '\0'; ++p) {
    if (*p != '\r' && *p != '\n') out.push_back(*p);
  }
  return std::string(absl::StripAsciiWhitespace(out));
}

// ---- step 1: the line scan -------------------------------------------------

// One line of `raw` from `pos`, without its line end; moves `pos` past it.
absl::string_view NextLine(absl::string_view raw, size_t& pos) {
  const size_t end = std::min(raw.find('\n', pos), raw.size());
  absl::string_view line = raw.substr(pos, end - pos);
  pos = std::min(end + 1, raw.size());
  if (absl::EndsWith(line, "\r")) line.remove_suffix(1);
  return line;
}

// The field name of a header line ("Content-Type" of "Content-Type : x"),
// or "" when `line` is none: GMime allows blanks between the name and the
// colon, but none inside the name, and no control characters.
absl::string_view FieldName(absl::string_view line) {
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos) return "";
  const absl::string_view name = absl::StripTrailingAsciiWhitespace(line.substr(0, colon));
  for (char c : name) {
    if (c <= ' ' || c > '~') return "";
  }
  return name;
}

// RFC 2231 percent-decoding of an extended parameter value.
std::string PercentDecode(absl::string_view v) {
  const auto hex = [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c))
               ? c - '0'
               : absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
  };
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size() &&
        absl::ascii_isxdigit(static_cast<unsigned char>(v[i + 1])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(v[i + 2]))) {
      out.push_back(static_cast<char>(hex(v[i + 1]) * 16 + hex(v[i + 2])));
      i += 2;
    } else {
      out.push_back(v[i]);
    }
  }
  return out;
}

// The MIME type (lower-case) and boundary parameter of a Content-Type value.
// The boundary may be split into RFC 2231 continuations (boundary*0,
// boundary*1*, ...), which GMime joins.
struct ContentTypeValue {
  std::string type;
  std::optional<std::string> boundary;
};

ContentTypeValue ParseContentType(absl::string_view value) {
  ContentTypeValue out;
  size_t i = std::min(value.find(';'), value.size());
  out.type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(value.substr(0, i)));
  std::vector<std::pair<int, std::string>> pieces;  // (continuation index, value)
  while (i < value.size()) {
    ++i;  // past ';'
    const size_t eq = value.find_first_of("=;", i);
    if (eq == absl::string_view::npos || value[eq] == ';') {
      i = eq == absl::string_view::npos ? value.size() : eq;
      continue;
    }
    const std::string name =
        absl::AsciiStrToLower(absl::StripAsciiWhitespace(value.substr(i, eq - i)));
    i = eq + 1;
    while (i < value.size() && absl::ascii_isspace(static_cast<unsigned char>(value[i]))) ++i;
    std::string v;
    if (i < value.size() && value[i] == '"') {
      for (++i; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        v.push_back(value[i]);
      }
      i = std::min(value.find(';', i), value.size());
    } else {
      const size_t end = std::min(value.find(';', i), value.size());
      v = std::string(absl::StripAsciiWhitespace(value.substr(i, end - i)));
      i = end;
    }
    if (name == "boundary") {
      out.boundary = std::move(v);
    } else if (absl::StartsWith(name, "boundary*")) {
      absl::string_view rest = absl::string_view(name).substr(9);  // "", "0", "1*", "*"...
      const bool extended = absl::EndsWith(rest, "*") || rest.empty();
      if (absl::EndsWith(rest, "*")) rest.remove_suffix(1);
      int index = 0;
      if (!rest.empty() && !absl::SimpleAtoi(rest, &index)) continue;
      if (extended && index == 0) {  // charset'language'value
        const size_t q = v.find('\'');
        const size_t q2 = q == std::string::npos ? q : v.find('\'', q + 1);
        if (q2 != std::string::npos) v = v.substr(q2 + 1);
      }
      pieces.emplace_back(index, extended ? PercentDecode(v) : v);
    }
  }
  if (!out.boundary && !pieces.empty()) {
    std::sort(pieces.begin(), pieces.end());
    std::string joined;
    for (const auto& [index, piece] : pieces) joined += piece;
    out.boundary = std::move(joined);
  }
  return out;
}

// GMime's is_rfc822.
bool IsMessageType(absl::string_view type) {
  return type == "message/rfc822" || type == "message/rfc2822" || type == "message/global" ||
         type == "message/news";
}

// An open container: a multipart and its boundary, or an embedded message
// (which has none: the enclosing boundary ends it).
struct Container {
  bool message = false;
  bool digest = false;  // multipart/digest: a part without a type is a message
  std::string boundary;
};

constexpr size_t kNoBoundary = static_cast<size_t>(-1);

// The index in `open` of the innermost multipart whose boundary `line` is
// ("--b" or, setting `closing`, "--b--", either followed by blanks only, as
// GMime's is_boundary reads it); kNoBoundary when none.
size_t MatchBoundary(const std::vector<Container>& open, absl::string_view line, bool* closing) {
  if (!absl::StartsWith(line, "--")) return kNoBoundary;
  const absl::string_view rest = absl::StripTrailingAsciiWhitespace(line.substr(2));
  for (size_t i = open.size(); i-- > 0;) {
    if (open[i].message || !absl::StartsWith(rest, open[i].boundary)) continue;
    const absl::string_view tail = rest.substr(open[i].boundary.size());
    if (tail.empty() || tail == "--") {
      *closing = !tail.empty();
      return i;
    }
  }
  return kNoBoundary;
}

// Refuses a message whose structure, as GMime's parser will split it,
// breaks a limit. It errs on the side of seeing more than GMime: a header
// block ends only at a blank line or a boundary (GMime goes on past lines
// that are no header fields), the last Content-Type counts (as in GMime),
// a part without one in a multipart/digest is a message, and a message/rfc822
// part is descended into unless it is base64, quoted-printable or uuencoded
// (GMime then keeps it as an opaque leaf).
absl::Status CheckShape(absl::string_view raw, const MailLimits& limits) {
  std::vector<Container> open;
  size_t header_bytes = 0;
  int leaves = 0;
  bool in_headers = true;
  size_t pos = 0;
  while (pos < raw.size()) {
    if (in_headers) {
      const size_t start = pos;
      std::string content_type, encoding;
      bool has_content_type = false;
      std::string* current = nullptr;  // the header being folded onto
      while (pos < raw.size()) {
        const size_t line_start = pos;
        const absl::string_view line = NextLine(raw, pos);
        bool closing = false;
        if (line.empty()) break;
        if (MatchBoundary(open, line, &closing) != kNoBoundary) {
          pos = line_start;  // the body loop reads it
          break;
        }
        if (line.front() == ' ' || line.front() == '\t') {
          if (current != nullptr) absl::StrAppend(current, line);
          continue;
        }
        const absl::string_view name = FieldName(line);
        current = nullptr;
        if (absl::EqualsIgnoreCase(name, "content-type")) {
          current = &content_type;
          has_content_type = true;
        } else if (absl::EqualsIgnoreCase(name, "content-transfer-encoding") && encoding.empty()) {
          current = &encoding;
        }
        if (current != nullptr) *current = std::string(line.substr(line.find(':') + 1));
      }
      header_bytes += pos - start;
      if (header_bytes > limits.max_header_bytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("headers larger than ", limits.max_header_bytes, " bytes"));
      }
      ContentTypeValue type = ParseContentType(content_type);
      if (!has_content_type || type.type.find('/') == std::string::npos) {
        type.type = !open.empty() && open.back().digest ? "message/rfc822" : "text/plain";
      }
      const std::string cte = absl::AsciiStrToLower(absl::StripAsciiWhitespace(encoding));
      const bool opaque = cte == "base64" || cte == "quoted-printable" || cte == "x-uuencode" ||
                          cte == "uuencode" || cte == "x-uue";
      in_headers = false;
      if (absl::StartsWith(type.type, "multipart/")) {
        if (type.boundary) {
          open.push_back({.message = false,
                          .digest = type.type == "multipart/digest",
                          .boundary = *type.boundary});
        }
      } else if (IsMessageType(type.type) && !opaque) {
        open.push_back({.message = true, .digest = false, .boundary = ""});
        in_headers = true;  // the embedded message's headers follow
      } else if (++leaves > limits.max_parts) {
        return absl::ResourceExhaustedError(
            absl::StrCat("message has more than ", limits.max_parts, " parts"));
      }
      if (static_cast<int>(open.size()) > limits.max_depth) {
        return absl::ResourceExhaustedError(absl::StrCat("nesting deeper than ", limits.max_depth));
      }
      continue;
    }
    bool closing = false;
    const size_t i = MatchBoundary(open, NextLine(raw, pos), &closing);
    if (i != kNoBoundary) {
      open.resize(closing ? i : i + 1);
      in_headers = !closing;
    }
  }
  return absl::OkStatus();
}

// ---- step 3: the walk ------------------------------------------------------

// Why the base64 in `encoded` (a part's content before decoding) is broken,
// or "" when it is sound: RFC 2045 section 6.8's alphabet with line breaks
// and blanks between, '=' padding only at the end, and whole quanta of four.
// Reads the stream in blocks (it can be as large as the message) and rewinds
// it for the decoder.
std::string CheckBase64(GMimeStream* encoded) {
  g_mime_stream_reset(encoded);
  size_t offset = 0, data = 0, padding = 0;
  std::string error;
  char block[16 << 10];
  ssize_t n = 0;
  while (error.empty() && (n = g_mime_stream_read(encoded, block, sizeof(block))) > 0) {
    for (ssize_t i = 0; i < n && error.empty(); ++i, ++offset) {
      const unsigned char c = static_cast<unsigned char>(block[i]);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
      if (absl::ascii_isalnum(c) || c == '+' || c == '/') {
        if (padding > 0) error = absl::StrCat("data after the '=' padding at byte ", offset);
        ++data;
      } else if (c == '=') {
        ++padding;
      } else {
        error = absl::StrCat("a character outside the alphabet (0x", absl::Hex(c, absl::kZeroPad2),
                             ") at byte ", offset);
      }
    }
  }
  g_mime_stream_reset(encoded);
  if (error.empty() && (data + padding) % 4 != 0) {
    error = absl::StrCat("truncated, ", data + padding, " characters are not a multiple of 4");
  }
  if (error.empty() && padding > 0 && (padding > 2 || data % 4 + padding != 4)) {
    error = absl::StrCat(padding, " padding characters where ", (4 - data % 4) % 4, " belong");
  }
  return error.empty() ? "" : absl::StrCat("broken base64: ", error);
}

std::string Join(const std::string& path, int child) {
  return path.empty() ? absl::StrCat(child) : absl::StrCat(path, ".", child);
}

// Appends the lower-case addr-specs of `list` (groups flattened) to `out`,
// each once.
void AddAddresses(InternetAddressList* list, std::vector<std::string>* out) {
  for (int i = 0; list != nullptr && i < internet_address_list_length(list); ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      AddAddresses(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), out);
      continue;
    }
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    if (addr == nullptr || absl::string_view(addr).find('@') == absl::string_view::npos) continue;
    std::string lower = absl::AsciiStrToLower(CleanText(addr, ' '));
    if (std::find(out->begin(), out->end(), lower) == out->end()) out->push_back(std::move(lower));
  }
}

// Collects the leaves of GMime's tree into a MailMessage under the limits.
class Walker {
 public:
  Walker(const MailLimits& limits, MailMessage* out) : limits_(limits), out_(out) {}

  // Adds `object` found at `path` ("" for the message body) at nesting
  // `depth` (the containers above it).
  absl::Status Add(GMimeObject* object, const std::string& path, int depth) {
    if (GMIME_IS_MULTIPART(object)) {
      IOB_RETURN_IF_ERROR(Enter(depth));
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
        IOB_RETURN_IF_ERROR(
            Add(g_mime_multipart_get_part(multipart, i), Join(path, i + 1), depth + 1));
      }
      return absl::OkStatus();
    }
    if (GMIME_IS_MESSAGE_PART(object)) {
      IOB_RETURN_IF_ERROR(Enter(depth));
      GMimeMessage* message = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
      GMimeObject* body = message == nullptr ? nullptr : g_mime_message_get_mime_part(message);
      if (body == nullptr) return absl::OkStatus();
      return Add(body, GMIME_IS_MULTIPART(body) ? path : Join(path, 1), depth + 1);
    }
    if (GMIME_IS_PART(object)) return AddLeaf(GMIME_PART(object), path.empty() ? "1" : path);
    return absl::OkStatus();
  }

 private:
  absl::Status Enter(int depth) const {
    if (depth + 1 > limits_.max_depth) {
      return absl::ResourceExhaustedError(absl::StrCat("nesting deeper than ", limits_.max_depth));
    }
    return absl::OkStatus();
  }

  absl::Status AddLeaf(GMimePart* part, std::string path) {
    if (static_cast<int>(out_->parts.size()) >= limits_.max_parts) {
      return absl::ResourceExhaustedError(
          absl::StrCat("message has more than ", limits_.max_parts, " parts"));
    }
    MailPart p;
    p.path = std::move(path);
    GCharPtr type(
        g_mime_content_type_get_mime_type(g_mime_object_get_content_type(GMIME_OBJECT(part))));
    p.content_type = absl::AsciiStrToLower(type.get());
    if (const char* name = g_mime_part_get_filename(part)) {
      p.file_name = CleanText(name, '_');
      p.file_name_repaired = p.file_name != name;
    }
    const char* disposition = g_mime_object_get_disposition(GMIME_OBJECT(part));
    p.attachment = !p.file_name.empty() ||
                   (disposition != nullptr && absl::EqualsIgnoreCase(disposition, "attachment"));
    if (GMimeDataWrapper* content = g_mime_part_get_content(part)) {
      if (g_mime_data_wrapper_get_encoding(content) == GMIME_CONTENT_ENCODING_BASE64) {
        p.encoding_error = CheckBase64(g_mime_data_wrapper_get_stream(content));
      }
      GObjectPtr<GMimeStream> decoded(g_mime_stream_mem_new());
      g_mime_data_wrapper_write_to_stream(content, decoded.get());  // undoes the transfer encoding
      GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(decoded.get()));
      decoded_bytes_ += bytes->len;
      if (decoded_bytes_ > limits_.max_decoded_bytes) {
        return absl::ResourceExhaustedError(
            absl::StrCat("decoded parts larger than ", limits_.max_decoded_bytes, " bytes"));
      }
      p.data.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
    }
    out_->parts.push_back(std::move(p));
    return absl::OkStatus();
  }

  const MailLimits& limits_;
  MailMessage* const out_;
  size_t decoded_bytes_ = 0;
};

void ReadHeaders(GMimeMessage* message, MailMessage* out) {
  if (const char* id = g_mime_message_get_message_id(message)) out->message_id = CleanText(id, ' ');
  if (const char* subject = g_mime_message_get_subject(message)) {
    out->subject = CleanText(subject, ' ');
  }
  std::vector<std::string> from;
  AddAddresses(g_mime_message_get_from(message), &from);
  if (!from.empty()) {
    out->from_address = from.front();
    out->from_domain = out->from_address.substr(out->from_address.rfind('@') + 1);
  }
  if (GDateTime* date = g_mime_message_get_date(message)) {
    out->date = absl::FromUnixSeconds(g_date_time_to_unix(date));
  }

  GMimeHeaderList* headers = g_mime_object_get_header_list(GMIME_OBJECT(message));
  const int count = g_mime_header_list_get_count(headers);
  std::vector<std::string> results;
  for (const char* name : {"Delivered-To", "X-Original-To"}) {
    for (int i = 0; i < count; ++i) {
      GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
      if (!absl::EqualsIgnoreCase(g_mime_header_get_name(h), name)) continue;
      const std::string value = Unfold(g_mime_header_get_raw_value(h));
      GObjectPtr<InternetAddressList> list(internet_address_list_parse(nullptr, value.c_str()));
      AddAddresses(list.get(), &out->recipients);
    }
  }
  AddAddresses(g_mime_message_get_to(message), &out->recipients);
  AddAddresses(g_mime_message_get_cc(message), &out->recipients);
  for (int i = 0; i < count; ++i) {
    GMimeHeader* h = g_mime_header_list_get_header_at(headers, i);
    if (absl::EqualsIgnoreCase(g_mime_header_get_name(h), "Authentication-Results")) {
      results.push_back(CleanText(Unfold(g_mime_header_get_raw_value(h)), ' '));
    }
  }
  out->authentication_results = absl::StrJoin(results, "; ");
}

// ---- Authentication-Results ------------------------------------------------

// `value` with RFC 5322 comments (nested parentheses, outside quoted
// strings) replaced by spaces, and spaces around '=' and '/' removed, so
// "dkim = pass (good)" reads "dkim=pass".
std::string StripComments(absl::string_view value) {
  std::string out;
  int comment = 0;
  bool quoted = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\\' && i + 1 < value.size() && (quoted || comment > 0)) {
      if (comment == 0) absl::StrAppend(&out, value.substr(i, 2));
      ++i;
    } else if (comment > 0) {
      comment += c == '(' ? 1 : (c == ')' ? -1 : 0);
      if (comment == 0) out.push_back(' ');
    } else if (c == '"') {
      quoted = !quoted;
      out.push_back(c);
    } else if (c == '(' && !quoted) {
      comment = 1;
    } else {
      out.push_back(c);
    }
  }
  std::string compact;
  for (size_t i = 0; i < out.size(); ++i) {
    const bool space = out[i] == ' ' || out[i] == '\t';
    if (space && ((i + 1 < out.size() && (out[i + 1] == '=' || out[i + 1] == '/' ||
                                          out[i + 1] == ' ' || out[i + 1] == '\t')) ||
                  (!compact.empty() && (compact.back() == '=' || compact.back() == '/')))) {
      continue;
    }
    compact.push_back(out[i]);
  }
  return compact;
}

// Splits on `sep` outside quoted strings.
std::vector<std::string> SplitOutsideQuotes(absl::string_view s, char sep) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && quoted && i + 1 < s.size()) {
      absl::StrAppend(&out.back(), s.substr(i, 2));
      ++i;
      continue;
    }
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == sep && !quoted) {
      out.emplace_back();
    } else {
      out.back().push_back(s[i]);
    }
  }
  return out;
}

std::string Unquote(absl::string_view v) {
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  std::string out;
  for (size_t i = 1; i + 1 < v.size(); ++i) {
    if (v[i] == '\\' && i + 2 < v.size()) ++i;
    out.push_back(v[i]);
  }
  return out;
}

// The domain of "user@domain", "@domain" or "domain", lower-case, without a
// trailing dot.
std::string DomainOf(absl::string_view v) {
  const size_t at = v.rfind('@');
  if (at != absl::string_view::npos) v = v.substr(at + 1);
  v = absl::StripAsciiWhitespace(v);
  if (absl::EndsWith(v, ".")) v.remove_suffix(1);
  return absl::AsciiStrToLower(v);
}

}  // namespace

absl::StatusOr<MailMessage> ReadMail(std::string_view raw_bytes, const MailLimits& limits) {
  const absl::string_view raw(raw_bytes.data(), raw_bytes.size());
  if (raw.size() > limits.max_message_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("message larger than ", limits.max_message_bytes, " bytes"));
  }
  if (raw.empty()) return absl::InvalidArgumentError("empty message");
  size_t first = 0;
  if (FieldName(NextLine(raw, first)).empty()) {
    return absl::InvalidArgumentError("not a message: it does not open with a header field");
  }
  IOB_RETURN_IF_ERROR(CheckShape(raw, limits));

  InitGMimeOnce();
  absl::ReaderMutexLock no_fork(&IconvForkMutex());
  GObjectPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
  GObjectPtr<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
  if (message == nullptr) return absl::InvalidArgumentError("not a message: GMime found none");

  MailMessage out;
  ReadHeaders(message.get(), &out);
  if (GMimeObject* body = g_mime_message_get_mime_part(message.get())) {
    Walker walker(limits, &out);
    IOB_RETURN_IF_ERROR(walker.Add(body, "", 0));
  }
  return out;
}

absl::Mutex& IconvForkMutex() {
  static absl::Mutex* const mutex = new absl::Mutex();  // never destroyed
  return *mutex;
}

bool SenderAuthentication::VerifiedFor(absl::string_view domain) const {
  std::string want = DomainOf(domain);
  if (want.empty()) return false;
  for (const auto& [method, d] : passed) {
    if (method != "dkim" && method != "dmarc" && method != "spf") continue;
    if (d == want || absl::EndsWith(d, absl::StrCat(".", want))) return true;
  }
  return false;
}

SenderAuthentication ParseAuthenticationResults(
    absl::string_view header_values, absl::Span<const std::string> trusted_authserv_ids) {
  SenderAuthentication out;
  bool trusted = trusted_authserv_ids.empty();
  for (const std::string& segment : SplitOutsideQuotes(StripComments(header_values), ';')) {
    std::vector<std::string> tokens =
        absl::StrSplit(segment, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (tokens.empty()) continue;
    const size_t eq = tokens[0].find('=');
    if (eq == std::string::npos) {
      if (absl::EqualsIgnoreCase(tokens[0], "none")) continue;  // "authserv-id; none"
      // A new header's authserv-id. Once one is not trusted, nothing below
      // it is: a sender's own headers sit below the receiving servers'.
      if (!trusted_authserv_ids.empty()) {
        const bool listed = std::any_of(
            trusted_authserv_ids.begin(), trusted_authserv_ids.end(),
            [&](const std::string& id) { return absl::EqualsIgnoreCase(id, tokens[0]); });
        if (!listed) break;
        trusted = true;
      }
      continue;
    }
    if (!trusted) continue;
    std::string method = absl::AsciiStrToLower(tokens[0].substr(0, eq));
    method = method.substr(0, method.find('/'));  // "dkim/1" -> "dkim"
    if (!absl::EqualsIgnoreCase(tokens[0].substr(eq + 1), "pass")) continue;
    std::string domain, identity;
    for (size_t i = 1; i < tokens.size(); ++i) {
      const size_t peq = tokens[i].find('=');
      if (peq == std::string::npos) continue;
      const std::string property = absl::AsciiStrToLower(tokens[i].substr(0, peq));
      const std::string value = Unquote(tokens[i].substr(peq + 1));
      if ((method == "dkim" && property == "header.d") ||
          (method == "dmarc" && property == "header.from") ||
          (method == "spf" && property == "smtp.mailfrom")) {
        domain = DomainOf(value);
      } else if (method == "dkim" && property == "header.i") {
        identity = DomainOf(value);
      }
    }
    if (domain.empty()) domain = identity;
    if ((method == "dkim" || method == "dmarc" || method == "spf") && !domain.empty()) {
      out.passed.emplace_back(method, domain);
    }
  }
  return out;
}

}  // namespace iob::invoice
