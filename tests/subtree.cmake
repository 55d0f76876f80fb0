# The extra trees that the normal `ctest` builds beside the main one, each with one TYPENET_* option
# and only its own targets: <build>/sanitize (ASan+UBSan), <build>/tsan (TSan), <build>/fuzz.
#   typenet_subtree(<name> <compiler> <option> <targets...>)
# adds the test <name>.build (fixture <name>_build), which runs this file with `cmake -P`.

if(CMAKE_SCRIPT_MODE_FILE)
  # ---- <name>.build: configure only once (later runs reuse the cache, so a second run is an
  # incremental build). A cache without a build system (a failed configure) or made by another
  # compiler (an older tree) is started over.
  if(NOT cxx)
    message(FATAL_ERROR "${binary_dir}: no compiler: clang++-14 is not installed (tools/setup.sh installs it)")
  endif()
  if(EXISTS "${binary_dir}/CMakeCache.txt")
    file(STRINGS "${binary_dir}/CMakeCache.txt" cached REGEX "^CMAKE_CXX_COMPILER:[A-Z]+=")
    string(REGEX REPLACE "^[^=]*=" "" cached "${cached}")
    if(NOT cached STREQUAL cxx OR NOT (EXISTS "${binary_dir}/Makefile" OR EXISTS "${binary_dir}/build.ninja"))
      file(REMOVE_RECURSE "${binary_dir}/CMakeCache.txt" "${binary_dir}/CMakeFiles")
    endif()
  endif()
  if(NOT EXISTS "${binary_dir}/CMakeCache.txt")
    execute_process(
      COMMAND "${CMAKE_COMMAND}" -S "${source_dir}" -B "${binary_dir}" -G "${generator}"
        -D${option}=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_COMPILER=${cxx}"
        "-DTYPENET_NATIVE=${native}" "-DTYPENET_FIXTURE_DIR=${fixture_dir}"
      COMMAND_ERROR_IS_FATAL ANY)
  endif()
  string(REPLACE "," ";" targets "${targets}")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" --build "${binary_dir}" --target ${targets} --parallel 2
    COMMAND_ERROR_IS_FATAL ANY)
  return()
endif()

function(typenet_subtree name cxx option)
  list(JOIN ARGN "," targets)
  add_test(NAME ${name}.build
    COMMAND ${CMAKE_COMMAND} -Dsource_dir=${PROJECT_SOURCE_DIR} -Dbinary_dir=${PROJECT_BINARY_DIR}/${name}
      "-Dgenerator=${CMAKE_GENERATOR}" "-Dcxx=${cxx}" -Doption=${option} -Dtargets=${targets}
      -Dnative=${TYPENET_NATIVE} -Dfixture_dir=${TYPENET_FIXTURE_DIR} -P ${CMAKE_CURRENT_FUNCTION_LIST_FILE})
  # A build runs two compilers: PROCESSORS 2 says so, so `ctest -j2` runs nothing beside it. The
  # lock (named after the main tree, which these builds do not touch) serialises the builds with
  # each other and with the compile_fail tests' builds under a larger -j.
  set_tests_properties(${name}.build PROPERTIES
    FIXTURES_SETUP ${name}_build
    RESOURCE_LOCK "${PROJECT_BINARY_DIR}"
    PROCESSORS 2
    LABELS ${name}
    TIMEOUT 1800)
endfunction()
