# services/invoice-intake ImapSource against a real Dovecot (Debian
# dovecot-imapd; tests/support/dovecot.h): STARTTLS and IMAPS, crashes and
# restarts, hostile and oversized messages. Skipped without dovecot-imapd.
iob_test(intake_imap_source_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/imap_source_test.cc
  DEPS iob_intake_mail_source iob_test_dovecot LABELS integration)
set_tests_properties(intake_imap_source_test PROPERTIES TIMEOUT 300)
