# Hostile mail through the running intake (Maildir and IngestMessage):
# 100-deep multiparts, huge headers, a zip bomb, broken base64, encrypted
# PDFs, PDF bombs, CR/LF in names -- each quarantined or held for review with
# its reason, the next message still matched, the intake's memory bounded.
iob_test(intake_hostile_mail_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/hostile_mail_test.cc
  DEPS intake_stack intake_test_util iob_intake_invoice_fixtures LABELS integration)
add_dependencies(intake_hostile_mail_test iob-credentials iob-supplier-sim iob-dispatch
  iob-invoice-intake)
set_tests_properties(intake_hostile_mail_test PROPERTIES TIMEOUT 300)
