// Strict UTF-8 validation.
#include "libs/cxml/utf8.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace iob::cxml {
namespace {

// Returns a count of leading bytes of p[0, n) that are printable ASCII, tab,
// LF or CR (what a document is mostly made of), checked a block at a time. It
// may stop short of the first other byte (at a block boundary, or before a
// tail shorter than a block): the caller checks the byte at the returned
// offset exactly.
size_t PlainAsciiPrefix(const unsigned char* p, size_t n) {
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(0x20);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  // 0xFF in each byte that is not printable ASCII, tab, LF or CR. Signed
  // compare: bytes >= 0x80 are negative, so "< 0x20" flags them as well as
  // the C0 controls; then tab, LF and CR are let through.
  auto flagged = [&](size_t at) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
    __m128i allowed = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, lf)),
                                   _mm_cmpeq_epi8(v, cr));
    return _mm_andnot_si128(allowed, _mm_cmplt_epi8(v, space));
  };
  // 64 bytes per round while nothing is flagged (one test for four blocks).
  for (; i + 64 <= n; i += 64) {
    __m128i any = _mm_or_si128(_mm_or_si128(flagged(i), flagged(i + 16)),
                               _mm_or_si128(flagged(i + 32), flagged(i + 48)));
    if (_mm_movemask_epi8(any) != 0) break;
  }
  for (; i + 16 <= n; i += 16) {
    int mask = _mm_movemask_epi8(flagged(i));
    if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
  }
#else
  // 8 bytes at a time: all ASCII and none below 0x20 (the classic "has a
  // byte less than n" test; tab, LF and CR stop it and go to the exact check).
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kSpace = 0x2020202020202020ULL;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    if ((w & kHigh) != 0 || ((w - kSpace) & ~w & kHigh) != 0) break;
  }
#endif
  return i;
}

}  // namespace

bool IsValidXmlUtf8(std::string_view s, size_t* bad_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t i = 0;
  auto fail = [&](size_t at) {
    if (bad_offset) *bad_offset = at;
    return false;
  };
  while (i < n) {
    i += PlainAsciiPrefix(p + i, n - i);
    if (i == n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return fail(i);
      ++i;
      continue;
    }
    uint32_t cp;
    size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4, cp = c & 0x07;
    } else {
      return fail(i);
    }
    if (i + len > n) return fail(i);
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return fail(i);
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
      return fail(i);
    }
    i += len;
  }
  return true;
}

}  // namespace iob::cxml
