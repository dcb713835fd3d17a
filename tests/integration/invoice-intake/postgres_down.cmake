# Postgres down while the intake polls its Maildir: nothing acknowledged
# before it is stored, the service stays up, each message stored once and
# matched when the database is back. The stack runs on a cluster of the
# test's own (tests/support/pg_cluster.h), which it stops and starts.
iob_test(intake_postgres_down_test SOURCES ${CMAKE_CURRENT_LIST_DIR}/postgres_down_test.cc
  DEPS intake_stack intake_test_util iob_test_pg_cluster LABELS integration)
add_dependencies(intake_postgres_down_test iob-credentials iob-supplier-sim iob-dispatch
  iob-invoice-intake)
set_tests_properties(intake_postgres_down_test PROPERTIES TIMEOUT 300)
