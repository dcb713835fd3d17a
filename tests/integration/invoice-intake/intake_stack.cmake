# What the producers, hostile-mail and database-down suites share: the
# intake stack, shipped orders and the intake's RPCs (intake_stack.h).
iob_library(intake_stack SOURCES ${CMAKE_CURRENT_LIST_DIR}/intake_stack.cc
  DEPS intake_test_util dispatch_test_util iob_test_stack iob_invoice_proto GTest::gtest)
