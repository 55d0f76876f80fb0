#pragma once
// The `typenet` command line (CLI11, in command_line.cpp: its own compiler run, apart from the
// zoo's templates). Plain data: no typenet header here.
#include <cstdint>
#include <string>
#include <vector>

namespace typenet::cli {

struct run_options {
  std::string model, weights, input, output, graph = "static", timings_json;
  std::vector<std::string> images;
  int threads = 0, repeat = 5;
  std::uint64_t seed = 42;
  bool profile = false;
};

struct command {
  enum class kind { list, summary, run } what = kind::list;
  std::string summary_model;
  int summary_depth = 1;
  run_options run;
  int exit_code = -1;  // >= 0: stop with this code (--help: 0; a bad command line, reported: 2)
};

// `models`: the names MODEL may take (an unknown one is a usage error that lists them).
command parse_command_line(int argc, char** argv, const std::vector<std::string>& models);

}  // namespace typenet::cli
