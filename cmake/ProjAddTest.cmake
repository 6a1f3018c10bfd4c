# reprieve_add_test(name LABEL label SOURCES ... LIBS ...): a GoogleTest executable whose
# tests are discovered into CTest with the given label.
include(GoogleTest)
function(reprieve_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} reprieve::testutil GTest::gtest_main
                                        GTest::gmock)
  reprieve_set_warnings(${name})
  gtest_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 60)
endfunction()
