# What the intake suites make: cXML invoices and the mails that carry them.
iob_library(intake_test_util SOURCES ${CMAKE_CURRENT_LIST_DIR}/intake_test_util.cc
  DEPS iob_mail iob_cxml GTest::gtest)
