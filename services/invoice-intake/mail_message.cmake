# mail_message: one raw RFC 5322 message read with GMime under limits, and
# Authentication-Results read into what passed for which domain.
iob_library(iob_intake_mail_message
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mail_message.cc
  DEPS PkgConfig::GMIME iob_common absl::status absl::statusor absl::strings absl::span
       absl::synchronization absl::time)
