# The libFuzzer harnesses (tests/fuzz/*.cpp) as part of the normal `ctest` (included from
# tests/CMakeLists.txt after sanitize.cmake, whose tests/subtree.cmake and clang it uses):
#   fuzz.build   clang++ 14, -fsanitize=fuzzer,address,undefined: <build>/fuzz, the harnesses only
#     -> fuzz.npy, fuzz.safetensors, fuzz.image   each harness for 60 s (run_fuzzer.cmake)
set(fuzz_dir ${PROJECT_BINARY_DIR}/fuzz)
set(fuzzers npy safetensors image)
list(TRANSFORM fuzzers PREPEND fuzz_ OUTPUT_VARIABLE fuzz_targets)
typenet_subtree(fuzz "${TYPENET_CLANGXX_14}" TYPENET_FUZZ ${fuzz_targets})
set(TYPENET_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz.<name> test runs its harness")
foreach(name IN LISTS fuzzers)
  add_test(NAME fuzz.${name}
    COMMAND ${CMAKE_COMMAND} -Dfuzzer=${fuzz_dir}/bin/fuzz_${name} -Dseeds=${CMAKE_CURRENT_LIST_DIR}/corpus/${name}
      -Ddict=${CMAKE_CURRENT_LIST_DIR}/${name}.dict -Dwork=${fuzz_dir}/run/${name} -Dseconds=${TYPENET_FUZZ_SECONDS}
      -P ${CMAKE_CURRENT_LIST_DIR}/run_fuzzer.cmake)
  set_tests_properties(fuzz.${name} PROPERTIES
    FIXTURES_REQUIRED fuzz_build
    LABELS fuzz
    TIMEOUT 900)
endforeach()
