// Strict UTF-8 / XML character validation shared by the reader and writer.
#ifndef IOB_LIBS_CXML_UTF8_H_
#define IOB_LIBS_CXML_UTF8_H_

#include <cstddef>
#include <string_view>

namespace iob::cxml {

// Returns true when `s` is well-formed UTF-8 (no overlong forms, surrogates or
// code points above U+10FFFF) made only of characters XML 1.0 allows (no NUL
// or other C0 controls except tab, LF, CR; no U+FFFE / U+FFFF). On failure
// `*bad_offset` (if given) receives the offset of the first bad byte.
// Thread-safe.
bool IsValidXmlUtf8(std::string_view s, size_t* bad_offset = nullptr);

}  // namespace iob::cxml

#endif  // IOB_LIBS_CXML_UTF8_H_
