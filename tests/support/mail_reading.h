// Reading mail as a mail client would, for tests: a received or composed
// message parsed with GMime (headers, decoded subject and addresses, each
// top-level part decoded), and a PDF attachment's text read with poppler.
#ifndef IOB_TESTS_SUPPORT_MAIL_READING_H_
#define IOB_TESTS_SUPPORT_MAIL_READING_H_

#include <gmime/gmime.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace iob::testing {

struct ParsedPart {
  std::string content_type;  // "text/plain"
  std::string charset;       // the charset parameter, "" when absent
  std::string disposition;   // "attachment", "" when absent
  std::string file_name;     // decoded (RFC 2231 / 2047), "" when absent
  GMimeContentEncoding encoding = GMIME_CONTENT_ENCODING_DEFAULT;
  std::string data;  // decoded content bytes (text as sent, not recoded)
};

struct ParsedAddress {
  std::string name;  // decoded display name
  std::string address;
};

struct ParsedMail {
  std::vector<std::pair<std::string, std::string>> headers;  // top-level, in order, raw (trimmed)
  std::string subject;                                       // decoded
  std::vector<ParsedAddress> from, to, cc, bcc;
  std::string message_id;  // without angle brackets
  int64_t date_unix = 0;
  std::string content_type;  // of the top-level part: "multipart/mixed"
  std::vector<ParsedPart> parts;

  // Values of the top-level headers named `name` (case-insensitive).
  std::vector<std::string> Header(const std::string& name) const;
  // The first text/plain part without a file name ("" when none).
  std::string Text() const;
  // The parts with a file name.
  std::vector<ParsedPart> Attachments() const;
};

// Parses `raw` (RFC 5322 bytes). INVALID_ARGUMENT when GMime finds no
// message. Thread-safe.
absl::StatusOr<ParsedMail> ParseMail(const std::string& raw);

// The text of each page of the PDF `data`. INVALID_ARGUMENT when poppler
// cannot open it.
absl::StatusOr<std::vector<std::string>> PdfPages(const std::string& data);

}  // namespace iob::testing

#endif  // IOB_TESTS_SUPPORT_MAIL_READING_H_
