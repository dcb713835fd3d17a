# The service end to end: credentials, the simulator, dispatch and invoice
# intake as child processes on one Postgres (intake_stack.h).
iob_test(invoice_intake_flow_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/intake_flow_test.cc
  DEPS intake_stack LABELS integration)
add_dependencies(invoice_intake_flow_test iob-credentials iob-supplier-sim iob-dispatch
  iob-invoice-intake)
set_tests_properties(invoice_intake_flow_test PROPERTIES TIMEOUT 300)
