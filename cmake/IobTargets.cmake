# Helpers that keep every target built the same way.

# Warnings for our own code only (generated protobuf code is built without -Werror).
set(IOB_WARNINGS -Wall -Wextra)

# iob_library(NAME SOURCES ... DEPS ...): a static library under libs/ or a
# service's core; include root is the repository root so includes read
# "libs/crypto/aead.h".
function(iob_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_compile_options(${name} PRIVATE ${IOB_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# iob_executable(NAME SOURCES ... DEPS ...)
function(iob_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR}/gen)
  target_compile_options(${name} PRIVATE ${IOB_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# iob_test(NAME SOURCES ... DEPS ... [LABELS unit|integration|e2e] [ENV k=v ...])
# A GoogleTest binary registered with ctest. Integration tests get the
# throwaway Postgres from ./iob test through IOB_TEST_PG_URL. It runs under
# cmake/run_gtest.sh, so a binary that passed but skipped a case is reported
# by ctest as Skipped (exit 77), never as Passed. (A SKIP_REGULAR_EXPRESSION
# on "[  SKIPPED ]" would also turn a binary that failed into Skipped.)
function(iob_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS;ENV" ${ARGN})
  iob_executable(${name} SOURCES ${ARG_SOURCES} DEPS ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  add_test(NAME ${name} COMMAND ${PROJECT_SOURCE_DIR}/cmake/run_gtest.sh $<TARGET_FILE:${name}>)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" SKIP_RETURN_CODE 77
    ENVIRONMENT "IOB_SOURCE_DIR=${PROJECT_SOURCE_DIR};IOB_BINARY_DIR=${PROJECT_BINARY_DIR};${ARG_ENV}")
endfunction()

# iob_proto_library(NAME PROTOS a.proto ... [ROOT dir]): one library per proto
# package; PROTOS are paths relative to ROOT (default proto/). Generated code
# goes to build/gen and is never committed.
function(iob_proto_library name)
  cmake_parse_arguments(ARG "" "ROOT" "PROTOS;DEPS" ${ARGN})
  if(NOT ARG_ROOT)
    set(ARG_ROOT ${PROJECT_SOURCE_DIR}/proto)
  endif()
  set(gen ${PROJECT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${gen})
  set(srcs)
  foreach(p ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" base ${p})
    list(APPEND srcs ${gen}/${base}.pb.cc ${gen}/${base}.grpc.pb.cc)
    add_custom_command(
      OUTPUT ${gen}/${base}.pb.cc ${gen}/${base}.pb.h ${gen}/${base}.grpc.pb.cc ${gen}/${base}.grpc.pb.h
      COMMAND protobuf::protoc
        --proto_path=${ARG_ROOT}
        --cpp_out=${gen} --grpc_out=${gen}
        --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
        ${ARG_ROOT}/${p}
      DEPENDS ${ARG_ROOT}/${p} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${p}")
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC ${gen})
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})
endfunction()

# iob_embed_sql(TARGET FUNCTION DIR): compiles every DIR/NNNN_*.sql into a
# library that defines `const std::vector<iob::db::Migration>&
# iob::sql::FUNCTION()` (see libs/db/migrate.h).
function(iob_embed_sql name function dir)
  file(GLOB sqls CONFIGURE_DEPENDS ${dir}/*.sql)
  list(SORT sqls)
  set(body "")
  foreach(f ${sqls})
    get_filename_component(fname ${f} NAME)
    file(READ ${f} content)
    string(APPEND body "    {\"${fname}\", R\"iobsql(${content})iobsql\"},\n")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
  endforeach()
  set(out ${PROJECT_BINARY_DIR}/gen/sql/${name}.cc)
  file(GENERATE OUTPUT ${out} CONTENT
"// Generated from ${dir} by iob_embed_sql; do not edit.
#include \"libs/db/migrate.h\"
namespace iob::sql {
const std::vector<iob::db::Migration>& ${function}() {
  static const std::vector<iob::db::Migration> kMigrations = {
${body}  };
  return kMigrations;
}
}  // namespace iob::sql
")
  iob_library(${name} SOURCES ${out} DEPS iob_db)
endfunction()

# iob_add_test_areas(): adds every subfolder of the current folder that has a
# CMakeLists.txt (tests/unit/<area>, tests/integration/<area>, ...).
# IOB_TEST_DIRS, a regex over area names, narrows the build while working.
set(IOB_TEST_DIRS ".*" CACHE STRING "regex of test areas to build")
function(iob_add_test_areas)
  file(GLOB children LIST_DIRECTORIES true ${CMAKE_CURRENT_SOURCE_DIR}/*)
  foreach(child ${children})
    get_filename_component(area ${child} NAME)
    if(IS_DIRECTORY ${child} AND EXISTS ${child}/CMakeLists.txt AND area MATCHES "^(${IOB_TEST_DIRS})$")
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()
