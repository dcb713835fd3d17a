// HTML text helpers for the simulator's server-rendered pages.
#ifndef IOB_TOOLS_SUPPLIER_SIM_HTML_H_
#define IOB_TOOLS_SUPPLIER_SIM_HTML_H_

#include <string>
#include <string_view>

namespace iob::sim {

// Escapes & < > " ' so `text` is safe as element content and inside a quoted
// attribute value. Thread-safe.
std::string HtmlEscape(std::string_view text);

// The page skeleton: <!doctype html>, UTF-8 meta, `title` (escaped), a small
// inline style sheet, and `body_html` (already HTML). Thread-safe.
std::string HtmlPage(std::string_view title, std::string_view body_html);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_HTML_H_
