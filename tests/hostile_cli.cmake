# Hostile and mistaken command lines for both commands (issue 9): a clean message naming the
# problem, before any work, never a crash, a raw system error, a half-written file or an answer
# made of NaN. Included twice: by tests/CMakeLists.txt for the main tree's commands, and by
# tests/sanitize.cmake for the ASan+UBSan tree's (same command lines, tests named sanitize.*).
#   cli_prefix     "" or "sanitize."
#   cli_resnext50  the command that runs resnext50 (a list: it may start with `cmake -E env ...`)
#   cli_typenet    the command that runs typenet
# Fixture files (nan_input.npy, typenet_tiny_input.npy) are made once, by the main tree's tests.

# A command that must fail with a message: non-zero exit AND output matching the regex.
function(cli_error_test name regex)
  add_test(NAME ${cli_prefix}${name}
    COMMAND ${CMAKE_COMMAND} "-DREGEX=${regex}" -P ${CMAKE_CURRENT_LIST_DIR}/expect_error.cmake -- ${ARGN})
endfunction()

# ---- resnext50 (examples/resnext50.cpp) -------------------------------------------------------
cli_error_test(resnext50.error.missing_weights "/nonexistent.safetensors: cannot open file \\(No such file or directory\\)"
  ${cli_resnext50} --weights /nonexistent.safetensors --quiet)
cli_error_test(resnext50.error.malformed_weights "README.md: header length [0-9]+ exceeds the [0-9]+ bytes that follow it"
  ${cli_resnext50} --weights ${PROJECT_SOURCE_DIR}/README.md --quiet)
add_test(NAME ${cli_prefix}resnext50.error.message COMMAND ${cli_resnext50} --image ${PROJECT_SOURCE_DIR}/README.md --quiet)
set_tests_properties(${cli_prefix}resnext50.error.message PROPERTIES PASS_REGULAR_EXPRESSION "README.md.*(unknown image type|cannot|failed)")
add_test(NAME ${cli_prefix}resnext50.error.input_shape
  COMMAND ${cli_resnext50} --input ${TYPENET_FIXTURE_DIR}/resnext50_32x4d_logits.npy --quiet)
set_tests_properties(${cli_prefix}resnext50.error.input_shape PROPERTIES FIXTURES_REQUIRED torch
  PASS_REGULAR_EXPRESSION "input has shape \\[2, 1000\\], resnext50 needs \\[N, 3, 224, 224\\]")
add_test(NAME ${cli_prefix}resnext50.error.usage COMMAND ${cli_resnext50} --threads zero)
set_tests_properties(${cli_prefix}resnext50.error.usage PROPERTIES PASS_REGULAR_EXPRESSION "--threads needs an integer from 1 to 1024, got 'zero'")
add_test(NAME ${cli_prefix}resnext50.error.threads COMMAND ${cli_resnext50} --threads 100000)
set_tests_properties(${cli_prefix}resnext50.error.threads PROPERTIES PASS_REGULAR_EXPRESSION "--threads needs an integer from 1 to 1024, got '100000'")
set(too_many_images)
foreach(i RANGE 256)   # 257 images: one over the batch cap
  list(APPEND too_many_images --image ${PROJECT_SOURCE_DIR}/README.md)
endforeach()
add_test(NAME ${cli_prefix}resnext50.error.batch_cap COMMAND ${cli_resnext50} ${too_many_images} --quiet)
set_tests_properties(${cli_prefix}resnext50.error.batch_cap PROPERTIES PASS_REGULAR_EXPRESSION "257 images: at most 256 a run")
add_test(NAME ${cli_prefix}resnext50.error.output_folder
  COMMAND ${cli_resnext50} --output ${PROJECT_BINARY_DIR}/no_such_folder/logits.npy --repeat 0 --quiet)
set_tests_properties(${cli_prefix}resnext50.error.output_folder PROPERTIES
  PASS_REGULAR_EXPRESSION "no_such_folder/logits.npy: cannot write here: the folder .*no_such_folder does not exist"
  FAIL_REGULAR_EXPRESSION "weights:|top-5")   # checked before the run, not after it
add_test(NAME ${cli_prefix}resnext50.error.max_pixels
  COMMAND ${cli_resnext50} --image ${TYPENET_FIXTURE_DIR}/test.png --max-pixels 59999 --repeat 0 --quiet)
set_tests_properties(${cli_prefix}resnext50.error.max_pixels PROPERTIES FIXTURES_REQUIRED torch
  PASS_REGULAR_EXPRESSION "test.png: image is 300x200 = 60000 pixels, over the budget of 59999 pixels")
add_test(NAME ${cli_prefix}resnext50.error.non_finite_input COMMAND ${cli_resnext50} --input ${PROJECT_BINARY_DIR}/nan_input.npy --repeat 0 --quiet)
set_tests_properties(${cli_prefix}resnext50.error.non_finite_input PROPERTIES FIXTURES_REQUIRED nan_input
  PASS_REGULAR_EXPRESSION "nan_input.npy: input \\[1, 3, 224, 224\\] \\(--allow-non-finite runs it anyway\\): element 50627 \\(index \\[0, 1, 2, 3\\]\\) is nan"
  FAIL_REGULAR_EXPRESSION "top-5")
add_test(NAME ${cli_prefix}resnext50.non_finite_allowed
  COMMAND ${cli_resnext50} --input ${PROJECT_BINARY_DIR}/nan_input.npy --allow-non-finite --repeat 0 --quiet)
set_tests_properties(${cli_prefix}resnext50.non_finite_allowed PROPERTIES FIXTURES_REQUIRED nan_input PASS_REGULAR_EXPRESSION "image 0 top-5")

# ---- typenet (cli/) ---------------------------------------------------------------------------
cli_error_test(typenet.error.input_shape
  "resnet18_input_160x192.npy: input has shape \\[2, 3, 160, 192\\], resnet18's static graph needs \\[N, 3, 224, 224\\]"
  ${cli_typenet} run resnet18 --input ${TYPENET_FIXTURE_DIR}/resnet18_input_160x192.npy --repeat 0)
set_tests_properties(${cli_prefix}typenet.error.input_shape PROPERTIES FIXTURES_REQUIRED torch)
cli_error_test(typenet.error.not_an_image_batch "resnet18_logits.npy: input has shape \\[2, 1000\\], resnet18 needs \\[N, 3, H, W\\]"
  ${cli_typenet} run resnet18 --graph dynamic --input ${TYPENET_FIXTURE_DIR}/resnet18_logits.npy --repeat 0)
set_tests_properties(${cli_prefix}typenet.error.not_an_image_batch PROPERTIES FIXTURES_REQUIRED torch)
cli_error_test(typenet.error.unknown_model "unknown model 'resnet17' \\(known models: alexnet, .*resnet18, .*\\).*Usage: typenet run"
  ${cli_typenet} run resnet17)
cli_error_test(typenet.error.unknown_model_summary "unknown model 'vgg' \\(known models: .*vgg16_bn" ${cli_typenet} summary vgg)
cli_error_test(typenet.error.bogus_graph "--graph: bogus not in \\{static,dynamic\\}" ${cli_typenet} run resnet18 --graph bogus)
cli_error_test(typenet.error.missing_weights "--weights: File does not exist: /nonexistent.safetensors"
  ${cli_typenet} run resnet18 --weights /nonexistent.safetensors)
cli_error_test(typenet.error.missing_input "--input: File does not exist: /nonexistent.npy" ${cli_typenet} run resnet18 --input /nonexistent.npy)
cli_error_test(typenet.error.wrong_weights "mobilenet_v2.safetensors: missing tensor 'conv1.weight'"
  ${cli_typenet} run resnet18 --weights ${TYPENET_FIXTURE_DIR}/mobilenet_v2.safetensors --repeat 0)
set_tests_properties(${cli_prefix}typenet.error.wrong_weights PROPERTIES FIXTURES_REQUIRED torch)
cli_error_test(typenet.error.too_small "features.2: max_pool: kernel larger than the padded input \\(kernel 3, padded input 1x1\\)"
  ${cli_typenet} run alexnet --graph dynamic --input ${PROJECT_BINARY_DIR}/typenet_tiny_input.npy)
set_tests_properties(${cli_prefix}typenet.error.too_small PROPERTIES FIXTURES_REQUIRED typenet_tiny_input)
cli_error_test(typenet.error.no_subcommand "A subcommand is required.*Usage: typenet" ${cli_typenet})
cli_error_test(typenet.error.bad_flag "The following argument was not expected: --bogus.*Usage: typenet run" ${cli_typenet} run resnet18 --bogus)
cli_error_test(typenet.error.bad_threads "--threads: Value 0 not in range 1 to 1024" ${cli_typenet} run resnet18 --threads 0)
cli_error_test(typenet.error.too_many_threads "--threads: Value 1025 not in range 1 to 1024" ${cli_typenet} run resnet18 --threads 1025)
