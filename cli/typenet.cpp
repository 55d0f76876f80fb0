// `typenet`: one command for the whole zoo (typenet/models/zoo.hpp).
//
//   typenet list                      every model: parameters and MACs at its native size (computed
//                                     by the compiler from its type), input size, preprocessing
//   typenet summary MODEL [--depth N] the static type's layer table
//   typenet run MODEL [--weights W.safetensors] [--input X.npy | --image FILE...] [--output Y.npy]
//                     [--threads N] [--repeat N] [--graph static|dynamic] [--seed N] [--timings-json J]
//                     [--profile]
//                     top-5 classes per image and the median latency over --repeat passes (with
//                     --profile, every op's time, GFLOP/s and share of the FMA peak). Without
//                     --weights: seeded random weights. The static graph is the type at the native
//                     size; the dynamic one lowers the same type at the input's size.
//
// Errors go to stderr: exit code 1 for a failed run, 2 for a bad command line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include <typenet/dynamic/executor.hpp>
#include <typenet/io/dims.hpp>
#include <typenet/io/image.hpp>
#include <typenet/io/npy.hpp>
#include <typenet/models/zoo.hpp>
#include <typenet/runtime/profile.hpp>

#include "command_line.hpp"
#include "zoo_table.hpp"

namespace {
using typenet::cli::run_options;
using typenet::cli::zoo_model;

// Every shard's rows, in the registry's order.
std::vector<zoo_model> load_zoo() {
  std::vector<zoo_model> rows(typenet::models::zoo_size);
  [&]<int... Shard>(std::integer_sequence<int, Shard...>) {
    (typenet::cli::fill_zoo_shard<Shard>(rows), ...);
  }(std::make_integer_sequence<int, TYPENET_ZOO_SHARDS>{});
  for (const zoo_model& m : rows)
    if (m.name.empty() || !m.make_static) throw std::logic_error("typenet: a zoo row was filled by no shard");
  return rows;
}

const zoo_model* find(const std::vector<zoo_model>& zoo, const std::string& name) {
  const auto it = std::find_if(zoo.begin(), zoo.end(), [&](const zoo_model& m) { return m.name == name; });
  return it == zoo.end() ? nullptr : &*it;
}

const char* filter_name(typenet::models::interpolation f) {
  return f == typenet::models::interpolation::bicubic ? "bicubic" : "bilinear";
}

std::string dims_string(typenet::dims d) {
  return std::to_string(d.channels) + "x" + std::to_string(d.height) + "x" + std::to_string(d.width);
}

void list(const std::vector<zoo_model>& zoo) {
  std::printf("%-20s %14s %16s %14s %10s  %s\n", "model", "params", "MACs", "activations", "input",
              "preprocessing (torchvision IMAGENET1K_V1)");
  for (const zoo_model& m : zoo)
    std::printf("%-20s %14s %16s %14s %10s  resize %d %s, crop %d\n", std::string(m.name).c_str(),
                typenet::detail::with_commas(m.params).c_str(), typenet::detail::with_commas(m.macs).c_str(),
                typenet::detail::with_commas(m.activation_bytes).c_str(), dims_string(m.input).c_str(), m.resize,
                filter_name(m.filter), m.input.height);
  std::printf("%zu models; MACs and activation bytes (the memory plan's peak) per image at the input size\n", zoo.size());
}

// The input batch [N][C][H][W] and its per-image shape: an .npy file, images through torchvision's
// evaluation transform at the model's native size, or (neither given) io::test_card().
std::vector<float> load_batch(const run_options& o, const zoo_model& m, int& batch, typenet::dims& in) {
  if (!o.input.empty()) {
    typenet::io::array a = typenet::io::read_npy(o.input);
    if (a.shape.size() == 3) a.shape.insert(a.shape.begin(), 1);
    // The static graph is the type: its native size only. The dynamic one: any height and width.
    const bool fixed = o.graph == "static";
    const auto c = std::to_string(m.input.channels), h = std::to_string(m.input.height), w = std::to_string(m.input.width);
    if (a.shape.size() != 4 || a.shape[0] < 1 || a.shape[1] != m.input.channels ||
        (fixed && (a.shape[2] != m.input.height || a.shape[3] != m.input.width)))
      throw typenet::io::io_error(o.input + ": input has shape " + typenet::io::shape_string(a.shape) + ", " +
                                  std::string(m.name) +
                                  (fixed ? "'s static graph needs [N, " + c + ", " + h + ", " + w +
                                               "] (float32, NCHW; --graph dynamic runs other sizes)"
                                         : " needs [N, " + c + ", H, W] (float32, NCHW)"));
    batch = int(a.shape[0]);
    in = {int(a.shape[1]), int(a.shape[2]), int(a.shape[3])};
    return std::move(a.data);
  }
  // io::imagenet_preprocess resizes as PIL's bilinear filter does: no other filter's model gets
  // silently different pixels.
  if (m.filter != typenet::models::interpolation::bilinear)
    throw std::runtime_error(std::string(m.name) + "'s weights expect a " + filter_name(m.filter) +
                             " Resize, typenet's image preprocessing is bilinear only: preprocess with torchvision "
                             "and give --input X.npy");
  std::vector<typenet::io::image> images;
  for (const auto& path : o.images) images.push_back(typenet::io::load_image(path));
  if (images.empty()) images.push_back(typenet::io::test_card());
  batch = int(images.size());
  in = m.input;
  std::vector<float> x(std::size_t(batch) * std::size_t(in.size()));
  for (int n = 0; n < batch; ++n)
    typenet::io::imagenet_preprocess(images[std::size_t(n)], x.data() + std::size_t(n) * std::size_t(in.size()), m.resize,
                                     m.input.height);
  return x;
}

void print_top5(const float* logits, long classes, int n) {
  std::vector<long> idx(static_cast<std::size_t>(classes));
  std::iota(idx.begin(), idx.end(), 0L);
  const long k = std::min(5L, classes);
  std::partial_sort(idx.begin(), idx.begin() + k, idx.end(), [&](long a, long b) { return logits[a] > logits[b]; });
  const float top = logits[idx[0]];
  double sum = 0;
  for (long c = 0; c < classes; ++c) sum += std::exp(double(logits[c] - top));
  std::printf("image %d top-%ld:", n, k);
  for (long i = 0; i < k; ++i)
    std::printf("  class %ld (p=%.4f, logit=%.4f)", idx[std::size_t(i)], std::exp(double(logits[idx[std::size_t(i)]] - top)) / sum,
                logits[idx[std::size_t(i)]]);
  std::printf("\n");
}

int run(const run_options& o, const zoo_model& m) {
  if (!o.timings_json.empty()) typenet::io::check_writable(o.timings_json);  // before the work, not after
  int batch = 0;
  typenet::dims in;
  const std::vector<float> x = load_batch(o, m, batch, in);
  const typenet::executor_options options{.threads = o.threads, .max_batch = batch};

  // Set-up: reading (or seeding) the weights, then the executor (checks, plan, folding, packing).
  using clock = std::chrono::steady_clock;
  const auto elapsed_ms = [](clock::time_point a, clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::shared_ptr<typenet::detail::executor_core> net;
  const auto t0 = clock::now();
  auto t1 = t0;
  if (o.graph == "static") {
    const auto weights = o.weights.empty() ? m.seeded_weights(o.seed) : m.load_weights(o.weights);
    t1 = clock::now();
    net = m.make_static(weights, options);
  } else {
    const typenet::dynamic::model dm(in, m.lower());  // checks the size: too small names the layer
    const auto weights =
        o.weights.empty() ? typenet::dynamic::seeded_weights(dm, o.seed) : typenet::dynamic::load_weights(dm, o.weights);
    t1 = clock::now();
    net = std::make_shared<typenet::dynamic::executor>(dm, weights, options);
  }
  const auto t2 = clock::now();
  std::printf("%s | %s graph | input %s | batch %d | threads %d | %zu ops\n", std::string(m.name).c_str(), o.graph.c_str(),
              dims_string(in).c_str(), batch, net->threads(), net->op_count());
  std::printf("setup_ms total=%.1f weights=%.1f build=%.1f\n", elapsed_ms(t0, t2), elapsed_ms(t0, t1), elapsed_ms(t1, t2));
  if (o.weights.empty())
    std::printf("weights: seeded random (seed %llu), not trained: the classes mean nothing (give --weights W.safetensors)\n",
                static_cast<unsigned long long>(o.seed));
  else
    std::printf("weights: %s\n", o.weights.c_str());

  const long classes = net->output_size();
  std::vector<float> y(std::size_t(batch) * std::size_t(classes));
  net->forward(x.data(), y.data(), batch);  // the warm-up, and the result
  std::vector<double> passes_ms;  // in the order they ran
  if (o.repeat > 0) {
    for (int r = 0; r < o.repeat; ++r) {
      const auto start = clock::now();
      net->forward(x.data(), y.data(), batch);
      passes_ms.push_back(elapsed_ms(start, clock::now()));
    }
    std::vector<double> ms = passes_ms;
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("latency_ms median=%.2f min=%.2f (batch %d, %d runs)\n", median, ms.front(), batch, o.repeat);
  }
  if (!o.timings_json.empty()) {
    std::string json = "{\"model\": \"" + std::string(m.name) + "\", \"graph\": \"" + o.graph + "\", \"batch\": " + std::to_string(batch) +
                       ", \"threads\": " + std::to_string(net->threads()) + ", \"setup_ms\": " + std::to_string(elapsed_ms(t0, t2)) +
                       ", \"weights_ms\": " + std::to_string(elapsed_ms(t0, t1)) + ", \"build_ms\": " + std::to_string(elapsed_ms(t1, t2)) +
                       ", \"forward_ms\": [";
    for (std::size_t i = 0; i < passes_ms.size(); ++i) json += (i ? ", " : "") + std::to_string(passes_ms[i]);
    json += "]}\n";
    typenet::io::detail::atomic_file_writer f(o.timings_json);
    f.write(json.data(), json.size());
    f.commit();
  }
  if (o.profile && o.repeat > 0) typenet::runtime::print_profile(stdout, *net, x.data(), y.data(), batch, o.repeat);
  for (int n = 0; n < batch; ++n) print_top5(y.data() + std::size_t(n) * std::size_t(classes), classes, n);
  if (!o.output.empty()) {
    typenet::io::write_npy(o.output, {batch, classes}, y.data());
    std::printf("logits written to %s\n", o.output.c_str());
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const std::vector<zoo_model> zoo = load_zoo();
    std::vector<std::string> names;
    for (const zoo_model& m : zoo) names.emplace_back(m.name);
    const typenet::cli::command c = typenet::cli::parse_command_line(argc, argv, names);
    if (c.exit_code >= 0) return c.exit_code;
    switch (c.what) {
      case typenet::cli::command::kind::list:
        list(zoo);
        return 0;
      case typenet::cli::command::kind::summary:
        find(zoo, c.summary_model)->print_summary(std::cout, c.summary_depth);
        return 0;
      case typenet::cli::command::kind::run:
        return run(c.run, *find(zoo, c.run.model));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "typenet: error: %s\n", e.what());
    return 1;
  }
}
