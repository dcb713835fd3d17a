// HTML escaping for the server-rendered pages: punchout's cart page and the
// supplier simulator's shop.
#ifndef IOB_LIBS_COMMON_HTML_H_
#define IOB_LIBS_COMMON_HTML_H_

#include <string>
#include <string_view>

namespace iob::common {

// Returns `text` with &, <, >, " and ' replaced by &amp; &lt; &gt; &quot;
// &#39;, so it is safe as element content and inside a quoted attribute
// value. Other bytes (UTF-8 included) pass unchanged. Thread-safe.
std::string HtmlEscape(std::string_view text);

}  // namespace iob::common

#endif  // IOB_LIBS_COMMON_HTML_H_
