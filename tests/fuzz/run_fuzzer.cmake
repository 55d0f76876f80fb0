# fuzz.<name>: one libFuzzer harness for a bounded time. New inputs go to a scratch corpus in the
# build tree (kept between runs, so coverage accumulates); the committed seeds are only read.
# Fails on any crash, leak, UB report, timeout or out-of-memory; prints the execution count.
#   cmake -Dfuzzer=<exe> -Dseeds=<dir> [-Ddict=<file>] -Dwork=<dir> -Dseconds=<n> -P run_fuzzer.cmake
file(MAKE_DIRECTORY "${work}/corpus" "${work}/artifacts")
set(dict_arg)
if(EXISTS "${dict}")
  set(dict_arg "-dict=${dict}")
endif()
set(log "${work}/fuzz.log")
# -rss_limit_mb: a 64 MP image (the budget) needs ~0.5 GB decoded and resampled, under ASan.
# -timeout: one input; the slowest legitimate ones (a budget-size image) take a few seconds.
execute_process(
  COMMAND "${fuzzer}" -max_total_time=${seconds} -rss_limit_mb=2048 -timeout=30 -print_final_stats=1
    "-artifact_prefix=${work}/artifacts/" ${dict_arg} "${work}/corpus" "${seeds}"
  WORKING_DIRECTORY "${work}"
  RESULT_VARIABLE rc
  OUTPUT_FILE "${log}" ERROR_FILE "${log}")
file(READ "${log}" text)   # (not file(STRINGS): the log holds brackets and bytes a list mangles)
string(REGEX MATCHALL "Done [0-9]+ runs in [0-9]+ second\\(s\\)|stat::[a-z_]+: *[0-9]+" summary "${text}")
string(REPLACE ";" "\n" summary "${summary}")
message("${fuzzer}: exit code ${rc} after ${seconds} s (log: ${log})\n${summary}")
if(NOT rc EQUAL 0)
  string(LENGTH "${text}" length)
  if(length GREATER 20000)
    math(EXPR from "${length} - 20000")
    string(SUBSTRING "${text}" ${from} -1 text)
  endif()
  file(GLOB artifacts "${work}/artifacts/*")
  message(FATAL_ERROR "${text}\nthe fuzzer found a problem; the input: ${artifacts}\n"
                      "reproduce with: ${fuzzer} <input>; then commit the input to ${seeds} with a fix")
endif()
