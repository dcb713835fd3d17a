// payloadID generation: "<datetime>.<pid>.<random>@<host>", unique per
// document. Generate it once when the document is first built, store it with
// the order, and reuse it on every retry so the supplier can deduplicate.
#ifndef IOB_LIBS_CXML_PAYLOAD_ID_H_
#define IOB_LIBS_CXML_PAYLOAD_ID_H_

#include <string>
#include <string_view>

#include "absl/time/time.h"

namespace iob::cxml {

// Returns e.g. "20240501T093000Z.4711.9f86d081884c7d65@iob.example.com":
// UTC time of `now`, this process id, 64 random bits (OpenSSL RAND_bytes) in
// hex, and `host` (characters other than [A-Za-z0-9.-] become '-'; empty
// host gives "iob"). Thread-safe.
std::string NewPayloadId(absl::Time now, std::string_view host);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_PAYLOAD_ID_H_
