# The tests again under sanitizers, as part of the normal `ctest`, in trees of their own
# (tests/subtree.cmake; included from tests/CMakeLists.txt):
#   sanitize.build  TYPENET_SANITIZE_CXX (default: the main compiler), ASan+UBSan: typenet_tests
#                   and both commands
#     -> sanitize.unit          everything but [torch]
#     -> sanitize.unit.torch    [torch] but the [zoo] models, which add no new kernel (needs the
#                               parent's torch fixtures)
#     -> sanitize.resnext50.*, sanitize.typenet.*   the hostile command lines of hostile_cli.cmake
#   tsan.build      clang++ 14 (so CI checks that the executor compiles with it; else the main
#                   compiler), TSan: typenet_thread_tests, made of the unit test files that hold
#                   a [threads] test
#     -> tsan.threads           the [threads] tests
# A sanitizer report fails a test even where the expected message appears.

if(TYPENET_SANITIZE OR TYPENET_SANITIZE_THREAD)   # a sanitized tree: no sanitize tests inside it
  return()
endif()
include(subtree.cmake)
find_program(TYPENET_CLANGXX_14 clang++-14 DOC "clang 14: the fuzz and TSan trees")

# ---- ASan + UBSan ------------------------------------------------------------------------------
# Not clang 14 by default: its optimiser goes quadratic on the sanitizer-instrumented kernel loops
# (BranchProbabilityInfo -> Loop::getExitBlocks, every check's report block is a loop exit): one
# -O1 compile of examples/resnext50.cpp ran for over 6 CPU minutes without finishing.
set(TYPENET_SANITIZE_CXX "${CMAKE_CXX_COMPILER}" CACHE FILEPATH "Compiler of the ASan+UBSan tree <build>/sanitize")
set(sanitize_dir ${PROJECT_BINARY_DIR}/sanitize)
typenet_subtree(sanitize "${TYPENET_SANITIZE_CXX}" TYPENET_SANITIZE typenet_tests resnext50 typenet_cli)
# Leaks count as failures; UBSan stops at the first report (the build has -fno-sanitize-recover).
set(sanitize_env "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"
                 "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
set(sanitizer_report "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer")
# (through `cmake -E chdir` / `cmake -E env`: ctest would print "Could not find executable" for
# the not-yet-built binaries on every `ctest -N`)
add_test(NAME sanitize.unit
  COMMAND ${CMAKE_COMMAND} -E chdir ${sanitize_dir}/bin ./typenet_tests "~[torch]")
add_test(NAME sanitize.unit.torch
  COMMAND ${CMAKE_COMMAND} -E chdir ${sanitize_dir}/bin ./typenet_tests "[torch]~[zoo]")
set_tests_properties(sanitize.unit PROPERTIES FIXTURES_REQUIRED sanitize_build)
set_tests_properties(sanitize.unit.torch PROPERTIES FIXTURES_REQUIRED "torch;sanitize_build")
set_tests_properties(sanitize.unit sanitize.unit.torch PROPERTIES
  ENVIRONMENT "${sanitize_env}"
  LABELS sanitize
  TIMEOUT 1800)

get_property(tests_before DIRECTORY PROPERTY TESTS)
set(cli_prefix "sanitize.")
set(cli_resnext50 ${CMAKE_COMMAND} -E env ${sanitize_env} ${sanitize_dir}/bin/resnext50)
set(cli_typenet ${CMAKE_COMMAND} -E env ${sanitize_env} ${sanitize_dir}/bin/typenet)
include(hostile_cli.cmake)
get_property(cli_tests DIRECTORY PROPERTY TESTS)
list(REMOVE_ITEM cli_tests ${tests_before})
set_property(TEST ${cli_tests} APPEND PROPERTY FIXTURES_REQUIRED sanitize_build)
set_property(TEST ${cli_tests} APPEND PROPERTY FAIL_REGULAR_EXPRESSION "${sanitizer_report}")
set_property(TEST ${cli_tests} APPEND PROPERTY LABELS sanitize)

# ---- TSan --------------------------------------------------------------------------------------
set(tsan_dir ${PROJECT_BINARY_DIR}/tsan)
set(tsan_cxx "${TYPENET_CLANGXX_14}")
if(NOT tsan_cxx)
  set(tsan_cxx "${CMAKE_CXX_COMPILER}")
endif()
typenet_subtree(tsan "${tsan_cxx}" TYPENET_SANITIZE_THREAD typenet_thread_tests)
add_test(NAME tsan.threads
  COMMAND ${CMAKE_COMMAND} -E env "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1"
    ${tsan_dir}/bin/typenet_thread_tests "[threads]")
set_tests_properties(tsan.threads PROPERTIES
  FIXTURES_REQUIRED tsan_build
  FAIL_REGULAR_EXPRESSION "WARNING: ThreadSanitizer|SUMMARY: ThreadSanitizer"
  LABELS tsan
  TIMEOUT 1800)
