// libFuzzer target: form-body extraction followed by the reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libs/cxml/form.h"
#include "libs/cxml/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<std::string> xml = iob::cxml::ExtractCxml(body, 1 << 20);
  if (!xml.ok()) return 0;
  (void)iob::cxml::ReadDocument(*xml);
  // The URL codec must round-trip whatever it decoded.
  absl::StatusOr<std::string> back = iob::cxml::FormUrlDecode(iob::cxml::FormUrlEncode(*xml));
  if (!back.ok() || *back != *xml) __builtin_trap();
  return 0;
}
