# mail_source: where invoice mail comes from. A local Maildir and an IMAP
# mailbox (libcurl) behind one MailSource interface.
iob_library(iob_intake_mail_source
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mail_source.cc ${CMAKE_CURRENT_LIST_DIR}/maildir_source.cc
          ${CMAKE_CURRENT_LIST_DIR}/imap_source.cc
  DEPS CURL::libcurl iob_http iob_common absl::status absl::statusor absl::strings absl::time)
