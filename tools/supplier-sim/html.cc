#include "tools/supplier-sim/html.h"

#include "absl/strings/str_cat.h"

namespace iob::sim {

std::string HtmlPage(std::string_view title, std::string_view body_html) {
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
      HtmlEscape(title),
      "</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem;color:#222}\n"
      "table{border-collapse:collapse;width:100%;margin:1rem 0}\n"
      "th,td{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}\n"
      "td.num,th.num{text-align:right}\n"
      "code{background:#f4f4f4;padding:0 .2rem;word-break:break-all}\n"
      "input[type=number]{width:5rem}\n"
      ".banner{background:#232f3e;color:#fff;padding:.6rem 1rem;margin:-2rem -2rem 1rem}\n"
      ".note{color:#8a4b00}\n"
      "</style>\n</head>\n<body>\n",
      std::string(body_html), "</body>\n</html>\n");
}

}  // namespace iob::sim
