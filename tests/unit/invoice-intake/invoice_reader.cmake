# services/invoice-intake invoice_reader: invoices from real producers (libs/cxml's
# writer, cairo + pango PDFs, hand-written Factur-X and encrypted PDFs, CII and
# UBL documents) in mail composed by libs/mail. No I/O.
iob_test(intake_invoice_reader_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/invoice_reader_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/invoice_reader_fixtures.cc
  DEPS iob_intake_invoice_reader iob_intake_mail_message iob_mail iob_cxml PkgConfig::PANGOCAIRO
       absl::str_format)
