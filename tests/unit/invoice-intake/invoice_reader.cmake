# Invoices as their producers make them (cairo + pango PDFs, hand-written
# Factur-X, encrypted PDFs and bombs, CII and UBL documents, a zip bomb):
# also used by tests/integration/invoice-intake.
find_package(ZLIB REQUIRED)
iob_library(iob_intake_invoice_fixtures
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/invoice_reader_fixtures.cc
  DEPS PkgConfig::PANGOCAIRO ZLIB::ZLIB absl::strings absl::str_format)
# services/invoice-intake invoice_reader: invoices from real producers (libs/cxml's
# writer, cairo + pango PDFs, hand-written Factur-X and encrypted PDFs, CII and
# UBL documents) in mail composed by libs/mail, and what must be refused or
# bounded (archives, broken base64, PDF bombs). No I/O.
iob_test(intake_invoice_reader_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/invoice_reader_test.cc
  DEPS iob_intake_invoice_reader iob_intake_invoice_fixtures iob_intake_mail_message iob_mail
       iob_cxml)
