// Every document the writer produces, for every type, minimal and with every
// optional part, validates against the official DTD of its family.
#include <string>

#include "gtest/gtest.h"
#include "libs/cxml/examples.h"
#include "libs/cxml/writer.h"
#include "tests/unit/cxml/test_util.h"

namespace iob::cxml {
namespace {

using testing::DtdDir;
using testing::XmllintValidate;

class WriterDtdTest : public ::testing::TestWithParam<std::tuple<DocumentType, ExampleDetail>> {
 protected:
  void SetUp() override {
    dtd_dir_ = DtdDir();
    if (dtd_dir_.empty()) GTEST_SKIP() << testing::DtdSkipReason();
    if (!testing::HaveXmllint()) {
      FAIL() << "xmllint is required (Debian package libxml2-utils)";
    }
  }
  std::string dtd_dir_;
};

TEST_P(WriterDtdTest, ValidatesAgainstFamilyDtd) {
  auto [type, detail] = GetParam();
  Document doc = ExampleDocument(type, detail);
  ASSERT_EQ(TypeOf(doc), type);
  absl::StatusOr<std::string> xml = WriteDocument(doc);
  ASSERT_TRUE(xml.ok()) << xml.status();
  const std::string family_dtd = std::string(DtdFileName(FamilyOf(type)));
  EXPECT_NE(xml->find("<!DOCTYPE cXML SYSTEM \"http://xml.cxml.org/schemas/cXML/1.2.071/" +
                      family_dtd + "\">"),
            std::string::npos)
      << *xml;
  testing::LintResult lint = XmllintValidate(*xml, dtd_dir_ + "/" + family_dtd);
  EXPECT_EQ(lint.exit_code, 0) << lint.output << "\n" << *xml;
}

INSTANTIATE_TEST_SUITE_P(AllTypes, WriterDtdTest,
                         ::testing::Combine(::testing::ValuesIn(AllDocumentTypes()),
                                            ::testing::Values(ExampleDetail::kMinimal,
                                                              ExampleDetail::kFull)),
                         [](const auto& info) {
                           return std::string(DocumentTypeName(std::get<0>(info.param))) +
                                  (std::get<1>(info.param) == ExampleDetail::kFull ? "Full"
                                                                                   : "Minimal");
                         });

// The check itself must be able to fail: an element out of DTD order is caught
// as a validation failure (not as a tool that could not run).
TEST(WriterDtdSelfCheck, XmllintRejectsOutOfOrderElements) {
  std::string dir = DtdDir();
  if (dir.empty()) GTEST_SKIP() << testing::DtdSkipReason();
  ASSERT_TRUE(testing::HaveXmllint()) << "xmllint is required (Debian package libxml2-utils)";
  absl::StatusOr<std::string> xml = WriteDocument(ExampleDocument(DocumentType::kOrderRequest));
  ASSERT_TRUE(xml.ok());
  std::string swapped = *xml;
  // Move BillTo before ShipTo: invalid per OrderRequestHeader's content model.
  size_t ship = swapped.find("<ShipTo>");
  size_t bill = swapped.find("<BillTo>");
  size_t bill_end = swapped.find("</BillTo>") + std::string("</BillTo>").size();
  ASSERT_LT(ship, bill);
  std::string bill_block = swapped.substr(bill, bill_end - bill);
  swapped.erase(bill, bill_end - bill);
  swapped.insert(ship, bill_block);
  const testing::LintResult lint = XmllintValidate(swapped, dir + "/cXML.dtd");
  EXPECT_NE(lint.exit_code, 0);
  EXPECT_TRUE(testing::IsValidationFailure(lint)) << lint.exit_code << ": " << lint.output;
}

}  // namespace
}  // namespace iob::cxml
