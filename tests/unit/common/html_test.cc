// libs/common/html.h: HtmlEscape, used by punchout's cart page and the
// simulator's shop pages.
#include "libs/common/html.h"

#include <gtest/gtest.h>

namespace iob::common {
namespace {

TEST(HtmlEscapeTest, EscapesTheFiveCharacters) {
  EXPECT_EQ(HtmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(HtmlEscape("&amp;"), "&amp;amp;");
  EXPECT_EQ(HtmlEscape("plain \xC3\xA9"), "plain \xC3\xA9");
}

TEST(HtmlEscapeTest, KeepsEmbeddedNulAndEmptyInput) {
  EXPECT_EQ(HtmlEscape(std::string_view("a\0<", 3)), std::string("a\0&lt;", 6));
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace
}  // namespace iob::common
