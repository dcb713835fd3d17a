# The service itself: store, the intake pipeline, the gRPC edge and main.
iob_embed_sql(iob_invoice_intake_migrations InvoiceIntakeMigrations
  ${CMAKE_CURRENT_SOURCE_DIR}/migrations)
iob_library(iob_invoice_intake_core
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/intake.cc ${CMAKE_CURRENT_SOURCE_DIR}/intake_metrics.cc
          ${CMAKE_CURRENT_SOURCE_DIR}/invoice.cc
          ${CMAKE_CURRENT_SOURCE_DIR}/invoice_service.cc
          ${CMAKE_CURRENT_SOURCE_DIR}/invoice_store.cc
  DEPS iob_invoice_proto iob_intake_mail_message iob_intake_invoice_reader iob_intake_matching
       iob_peers iob_supplier iob_runtime iob_db iob_crypto iob_cxml iob_common)
iob_executable(iob-invoice-intake SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/main.cc
  DEPS iob_invoice_intake_core iob_intake_mail_source iob_invoice_intake_migrations)
