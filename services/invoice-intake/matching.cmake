# Invoice-to-order matching (matching.{h,cc}): tolerances, the policy text,
# line-by-line checks with exact decimals. Pure; no I/O.
iob_library(iob_intake_matching
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/matching.cc
  DEPS iob_cxml iob_common absl::status absl::statusor absl::strings)
