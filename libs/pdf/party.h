// A party as printed on a business document (a purchase order's supplier,
// an invoice's bill-to): shared by the sheets of libs/pdf.
#ifndef IOB_LIBS_PDF_PARTY_H_
#define IOB_LIBS_PDF_PARTY_H_

#include <string>
#include <vector>

namespace iob::pdf {

// A block of the header: a heading's party (name first, then address lines,
// e-mail, phone), each line as it should print.
struct Party {
  std::string name;
  std::vector<std::string> lines;
};

}  // namespace iob::pdf

#endif  // IOB_LIBS_PDF_PARTY_H_
