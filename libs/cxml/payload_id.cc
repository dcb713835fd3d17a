// payloadID generation.
#include "libs/cxml/payload_id.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <random>

#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "libs/cxml/strings_internal.h"

namespace iob::cxml {

std::string NewPayloadId(absl::Time now, std::string_view host) {
  uint64_t random = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&random), sizeof random) != 1) {
    // RAND_bytes failing is near impossible; fall back to the OS source plus a
    // process-wide counter so ids still never repeat within a process.
    static std::atomic<uint64_t> counter{0};
    std::random_device rd;
    random = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ counter.fetch_add(1);
  }
  std::string h;
  for (char c : host) {
    h += (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '-';
  }
  if (h.empty()) h = "iob";
  return internal::Cat(absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), ".",
                       static_cast<int64_t>(getpid()), ".", absl::StrFormat("%016x", random), "@",
                       h);
}

}  // namespace iob::cxml
