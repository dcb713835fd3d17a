# invoice_reader: the invoices in a message's parts -- cXML (libs/cxml), CII /
# Factur-X and UBL (cii_reader, pugixml), PDF text read by rules (poppler-cpp,
# RE2).
iob_library(iob_intake_invoice_reader
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/invoice_reader.cc ${CMAKE_CURRENT_LIST_DIR}/cii_reader.cc
  DEPS iob_intake_mail_message iob_cxml iob_common PkgConfig::POPPLER_CPP pugixml::pugixml
       re2::re2 absl::status absl::statusor absl::strings absl::synchronization absl::time)
