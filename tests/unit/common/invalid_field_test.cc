#include "libs/common/invalid_field.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iob::common {
namespace {

using ::testing::HasSubstr;

TEST(CheckEmailAddressTest, AcceptsPlainAddresses) {
  for (const char* ok : {"orders@supplier.example", "po+acme@mail.supplier.co.uk",
                         "first.last@x-y.example", "o'brien@example.com"}) {
    EXPECT_TRUE(CheckEmailAddress(ok, "f", true).ok()) << ok;
  }
}

TEST(CheckEmailAddressTest, RefusesWhatCouldBreakAHeaderOrHideAnAddress) {
  for (const char* bad :
       {"orders", "@example.com", "orders@", "orders@localhost", "a..b@example.com",
        ".a@example.com", "a@example..com", "a@-x.example", "a b@example.com",
        "a@example.com\r\nBcc: evil@x.example", "a@example.com,b@example.com", "\"a\"@example.com",
        "<a@example.com>", "Name <a@example.com>", "a@exa_mple.com"}) {
    absl::Status st = CheckEmailAddress(bad, "integration.order_email", true);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(st.message(), HasSubstr("integration.order_email: ")) << bad;
  }
  EXPECT_FALSE(CheckEmailAddress(std::string(250, 'a') + "@example.com", "f", true).ok());
}

TEST(CheckEmailAddressTest, EmptyIsRequiredOnlyWhenAsked) {
  EXPECT_TRUE(CheckEmailAddress("", "f", false).ok());
  EXPECT_THAT(CheckEmailAddress("", "f", true).message(), HasSubstr("f: is required"));
}

}  // namespace
}  // namespace iob::common
