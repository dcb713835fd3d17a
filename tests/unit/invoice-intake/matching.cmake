# services/invoice-intake matching (matching.{h,cc}): tolerances, policy text,
# and every exception type the matcher raises. No I/O.
iob_test(intake_matching_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/matching_test.cc
  DEPS iob_intake_matching)
