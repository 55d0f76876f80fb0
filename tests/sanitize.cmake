# The unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer, as part of the normal
# `ctest`: a second tree <build>/sanitize (TYPENET_SANITIZE=ON) builds only typenet_tests.
#   sanitize.build -> sanitize.unit         (everything but [torch])
#                  -> sanitize.unit.torch   ([torch] but the [zoo] models, which add no new kernel;
#                                            needs the parent's torch fixtures)
# Included from tests/CMakeLists.txt; sanitize.build runs this same file with `cmake -P`.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- sanitize.build: configure only once (later runs reuse the cache, so a second run is an
  # incremental build); a cache without a build system means that configure failed: redo it.
  if(NOT EXISTS "${binary_dir}/CMakeCache.txt"
     OR NOT (EXISTS "${binary_dir}/Makefile" OR EXISTS "${binary_dir}/build.ninja"))
    execute_process(
      COMMAND "${CMAKE_COMMAND}" -S "${source_dir}" -B "${binary_dir}" -G "${generator}"
        -DTYPENET_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_COMPILER=${cxx}"
        "-DTYPENET_NATIVE=${native}" "-DTYPENET_FIXTURE_DIR=${fixture_dir}"
      COMMAND_ERROR_IS_FATAL ANY)
  endif()
  execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${binary_dir}" --target typenet_tests --parallel 2
    COMMAND_ERROR_IS_FATAL ANY)
  return()
endif()

if(TYPENET_SANITIZE)   # this is the sanitized tree: no sanitize tests inside it
  return()
endif()

set(sanitize_dir ${PROJECT_BINARY_DIR}/sanitize)
add_test(NAME sanitize.build
  COMMAND ${CMAKE_COMMAND} -Dsource_dir=${PROJECT_SOURCE_DIR} -Dbinary_dir=${sanitize_dir}
    "-Dgenerator=${CMAKE_GENERATOR}" -Dcxx=${CMAKE_CXX_COMPILER} -Dnative=${TYPENET_NATIVE}
    -Dfixture_dir=${TYPENET_FIXTURE_DIR} -P ${CMAKE_CURRENT_LIST_FILE})
# The build runs two compilers: PROCESSORS 2 says so, so `ctest -j2` runs nothing beside it. The
# compile_fail tests' lock (named after the main tree, which this build does not touch) also keeps
# their builds off it under a larger -j.
set_tests_properties(sanitize.build PROPERTIES
  FIXTURES_SETUP sanitize_build
  RESOURCE_LOCK "${PROJECT_BINARY_DIR}"
  PROCESSORS 2
  LABELS sanitize
  TIMEOUT 1800)

# Leaks count as failures; UBSan stops at the first report (the build has -fno-sanitize-recover).
set(sanitize_env "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0"
                 "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
# (through `cmake -E chdir`: ctest would print "Could not find executable" for the not-yet-built
# binary on every `ctest -N`)
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
