# services/invoice-intake mail_message: mail composed by libs/mail and hostile
# raw mail read under limits; Authentication-Results. No I/O.
iob_test(intake_mail_message_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mail_message_test.cc
  DEPS iob_intake_mail_message iob_mail)
