#include "command_line.hpp"

#include <CLI/CLI.hpp>
#include <typenet/runtime/thread_pool.hpp>

namespace typenet::cli {

command parse_command_line(int argc, char** argv, const std::vector<std::string>& models) {
  std::string known;
  for (const std::string& m : models) known += (known.empty() ? "" : ", ") + m;
  const CLI::Validator known_model(
      [&](std::string& name) -> std::string {
        for (const std::string& m : models)
          if (m == name) return {};
        return "unknown model '" + name + "' (known models: " + known + ")";
      },
      "MODEL", "zoo model");

  command c;
  CLI::App app("typenet: torchvision's classifiers as C++ types, on the CPU", "typenet");
  app.failure_message(CLI::FailureMessage::help);  // a bad command line shows the usage (inherited)
  app.require_subcommand(1);
  app.add_subcommand("list", "Every model: parameters, MACs, input size, preprocessing");

  CLI::App* summary_cmd = app.add_subcommand("summary", "The static type's layer table at the native size");
  summary_cmd->add_option("MODEL", c.summary_model, "a name from `typenet list`")->required()->check(known_model);
  summary_cmd->add_option("--depth", c.summary_depth, "nesting depth shown (0: the model's layers; -1: every layer)")
      ->capture_default_str()
      ->check(CLI::Range(-1, 1 << 20));

  run_options& o = c.run;
  CLI::App* run_cmd = app.add_subcommand("run", "Top-5 classes and latency");
  run_cmd->add_option("MODEL", o.model, "a name from `typenet list`")->required()->check(known_model);
  run_cmd->add_option("--weights", o.weights, "torchvision state_dict as .safetensors (default: seeded random)")
      ->check(CLI::ExistingFile);
  CLI::Option* input =
      run_cmd->add_option("--input", o.input, "input batch .npy, float32 [N, 3, H, W] or [3, H, W]")->check(CLI::ExistingFile);
  run_cmd->add_option("--image", o.images, "images (JPEG, PNG, ...): torchvision's eval preprocessing")
      ->check(CLI::ExistingFile)
      ->excludes(input);
  run_cmd->add_option("--output", o.output, "write the logits [N, classes] to this .npy");
  run_cmd->add_option("--threads", o.threads, "threads (default: every core)")->check(CLI::Range(1, typenet::runtime::thread_pool::max_threads));
  run_cmd->add_option("--repeat", o.repeat, "timed passes after the warm-up")->capture_default_str()->check(CLI::Range(0, 1 << 20));
  run_cmd->add_option("--graph", o.graph, "static: the type at the native size; dynamic: any input size")
      ->capture_default_str()
      ->check(CLI::IsMember({"static", "dynamic"}));
  run_cmd->add_option("--seed", o.seed, "seed of the random weights")->capture_default_str();
  run_cmd->add_option("--timings-json", o.timings_json,
                      "write set-up time and every timed pass (ms) to this JSON file (tools/bench_peers.py reads it)");
  run_cmd->add_flag("--profile", o.profile,
                    "time every op of the plan over --repeat more passes: ms, share, GFLOP/s, % of the FMA peak");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    c.exit_code = app.exit(e) == 0 ? 0 : 2;  // --help: 0
    return c;
  }
  // require_subcommand(1): neither run nor summary is list
  c.what = *run_cmd ? command::kind::run : *summary_cmd ? command::kind::summary : command::kind::list;
  return c;
}

}  // namespace typenet::cli
