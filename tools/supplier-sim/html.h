// HTML text helpers for the simulator's server-rendered pages.
#ifndef IOB_TOOLS_SUPPLIER_SIM_HTML_H_
#define IOB_TOOLS_SUPPLIER_SIM_HTML_H_

#include <string>
#include <string_view>

#include "libs/common/html.h"

namespace iob::sim {

// The simulator's pages escape with the shared helper (libs/common/html.h).
using ::iob::common::HtmlEscape;

// The page skeleton: <!doctype html>, UTF-8 meta, `title` (escaped), a small
// inline style sheet, and `body_html` (already HTML). Thread-safe.
std::string HtmlPage(std::string_view title, std::string_view body_html);

}  // namespace iob::sim

#endif  // IOB_TOOLS_SUPPLIER_SIM_HTML_H_
