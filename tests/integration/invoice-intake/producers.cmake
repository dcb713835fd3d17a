# Invoices and mail made by third-party producers from npm (tests/node:
# @e-invoice-eu/core for UBL, CII and Factur-X, nodemailer for the mail)
# read and matched by the running intake.
iob_test(intake_producers_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/producers_test.cc
  DEPS intake_stack intake_test_util iob_cxml nlohmann_json::nlohmann_json LABELS integration)
add_dependencies(intake_producers_test iob-credentials iob-supplier-sim iob-dispatch
  iob-invoice-intake)
set_tests_properties(intake_producers_test PROPERTIES TIMEOUT 300)
