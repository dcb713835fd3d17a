# services/invoice-intake MaildirSource (maildir_source.{h,cc}) on a
# temporary directory. The IMAP source is tested against a real Dovecot in
# tests/integration/invoice-intake/imap_source_test.cc.
iob_test(intake_maildir_source_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/maildir_source_test.cc
  DEPS iob_intake_mail_source)
