# The supplier simulator's invoice mails read and matched by invoice intake:
# credentials, the simulator, dispatch and invoice intake as child processes
# on one Postgres (intake_stack.h).
iob_test(sim_invoice_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/sim_invoice_test.cc
  DEPS intake_stack nlohmann_json::nlohmann_json LABELS integration)
add_dependencies(sim_invoice_test iob-credentials iob-supplier-sim iob-dispatch
  iob-invoice-intake)
set_tests_properties(sim_invoice_test PROPERTIES TIMEOUT 300)
