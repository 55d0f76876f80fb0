// The main command: the statically checked ResNeXt-50 (32x4d) on the CPU.
//
//   resnext50                                   seeded weights on a synthetic image: summary,
//                                               latency and top-5 (the README's main command)
//   resnext50 --weights W.safetensors --input X.npy --output Y.npy
//   resnext50 --weights W.safetensors --image cat.jpg [--image dog.png ...]
//
// Options: --threads N (default: every core), --repeat N (after one warm-up, time N forward passes
// and print `latency_ms median=<x> min=<y>`; default 5), --seed N (seeded weights, default 42),
// --reference (the unfused reference kernels), --summary-depth N (default 1; -1: every layer),
// --quiet (no summary), --profile (time every op of the plan over the --repeat passes and print
// the table, slowest first). Errors go to stderr with exit code 1 (2 for a bad command line).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/io/image.hpp>
#include <typenet/io/npy.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using model = typenet::models::resnext50_32x4d;
using net = typenet::executor<model>;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct options {
  std::string weights, input, output;
  std::vector<std::string> images;
  int threads = 0, repeat = 5, summary_depth = 1;
  unsigned long seed = 42;
  bool reference = false, quiet = false, profile = false;
};

int to_int(const std::string& flag, const std::string& value, int min) {
  std::size_t used = 0;
  int v = 0;
  try {
    v = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || v < min)
    throw usage_error(flag + " needs an integer >= " + std::to_string(min) + ", got '" + value + "'");
  return v;
}

options parse(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--weights") o.weights = value();
    else if (a == "--input") o.input = value();
    else if (a == "--image") o.images.push_back(value());
    else if (a == "--output") o.output = value();
    else if (a == "--threads") o.threads = to_int(a, value(), 1);
    else if (a == "--repeat") o.repeat = to_int(a, value(), 0);
    else if (a == "--seed") o.seed = unsigned(to_int(a, value(), 0));
    else if (a == "--summary-depth") o.summary_depth = to_int(a, value(), -1);
    else if (a == "--reference") o.reference = true;
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--profile") o.profile = true;
    else if (a == "--help" || a == "-h") {
      std::cout << "usage: resnext50 [--weights W.safetensors] [--input X.npy | --image FILE...] [--output Y.npy]\n"
                   "                 [--threads N] [--repeat N] [--seed N] [--reference] [--summary-depth N] [--quiet] [--profile]\n";
      std::exit(0);
    } else throw usage_error("unknown argument '" + a + "' (see --help)");
  }
  if (!o.input.empty() && !o.images.empty()) throw usage_error("give --input or --image, not both");
  return o;
}

// Input images as one [N][3][224][224] batch.
std::vector<float> load_batch(const options& o, int& batch) {
  using in = net::input_shape;
  if (!o.input.empty()) {
    typenet::io::array a = typenet::io::read_npy(o.input);
    std::vector<long> want = {in::channels, in::height, in::width};
    if (a.shape.size() == 3) a.shape.insert(a.shape.begin(), 1);
    if (a.shape.size() != 4 || a.shape[0] < 1 || std::vector<long>(a.shape.begin() + 1, a.shape.end()) != want)
      throw typenet::io::io_error(o.input + ": input has shape " + typenet::io::shape_string(a.shape) +
                                  ", resnext50 needs [N, 3, 224, 224] (float32, NCHW)");
    batch = int(a.shape[0]);
    return std::move(a.data);
  }
  std::vector<typenet::io::image> images;
  for (const auto& path : o.images) images.push_back(typenet::io::load_image(path));
  if (images.empty()) images.push_back(typenet::io::test_card());
  batch = int(images.size());
  std::vector<float> x(std::size_t(batch * in::size));
  for (int n = 0; n < batch; ++n) typenet::io::imagenet_preprocess(images[std::size_t(n)], x.data() + n * in::size);
  return x;
}

void print_top5(const float* logits, int n) {
  std::vector<int> idx(net::output_size);
  std::iota(idx.begin(), idx.end(), 0);
  std::partial_sort(idx.begin(), idx.begin() + 5, idx.end(), [&](int a, int b) { return logits[a] > logits[b]; });
  const float top = logits[idx[0]];
  double sum = 0;
  for (long c = 0; c < net::output_size; ++c) sum += std::exp(double(logits[c] - top));
  std::printf("image %d top-5:", n);
  for (int k = 0; k < 5; ++k) std::printf("  class %d (p=%.4f, logit=%.4f)", idx[k], std::exp(double(logits[idx[k]] - top)) / sum, logits[idx[k]]);
  std::printf("\n");
}

// Where the time goes: every op of the plan, slowest first, with its arithmetic rate.
void print_profile(net& executor, const float* x, float* y, int batch, int repeat) {
  std::vector<double> seconds(executor.op_count(), 0.0);
  for (int r = 0; r < repeat; ++r) executor.forward(x, y, batch, seconds.data());
  std::vector<std::size_t> order(seconds.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return seconds[a] > seconds[b]; });
  const double total = std::accumulate(seconds.begin(), seconds.end(), 0.0);
  std::printf("%-32s %10s %7s %10s\n", "op (fused layers)", "ms/pass", "share", "GFLOP/s");
  for (std::size_t i : order) {
    const auto& op = executor.plan()[i];
    const double ms = seconds[i] / repeat * 1e3;
    std::printf("%-32s %10.3f %6.1f%% %10.1f\n", op.name.c_str(), ms, 100 * seconds[i] / total,
                op.macs ? 2.0 * double(op.macs) * batch / (ms * 1e-3) / 1e9 : 0.0);
  }
}

int run(const options& o) {
  if (!o.quiet) typenet::print_summary<model>(std::cout, "resnext50_32x4d", o.summary_depth);

  int batch = 0;
  const std::vector<float> x = load_batch(o, batch);
  const auto weights = o.weights.empty() ? typenet::seeded_weights<model>(o.seed) : typenet::load_weights<model>(o.weights);
  net executor(weights, {.threads = o.threads, .max_batch = batch, .fused = !o.reference});
  std::printf("weights: %s | batch %d | threads %d | %s kernels | %zu ops\n",
              o.weights.empty() ? ("seeded (seed " + std::to_string(o.seed) + ")").c_str() : o.weights.c_str(), batch,
              executor.threads(), o.reference ? "reference" : "fused", executor.op_count());

  std::vector<float> y(std::size_t(batch * net::output_size));
  executor.forward(x.data(), y.data(), batch);  // the warm-up, and the result
  if (o.repeat > 0) {
    std::vector<double> ms;
    for (int r = 0; r < o.repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      executor.forward(x.data(), y.data(), batch);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms.size() % 2 ? ms[ms.size() / 2] : (ms[ms.size() / 2 - 1] + ms[ms.size() / 2]) / 2;
    std::printf("latency_ms median=%.2f min=%.2f (batch %d, %d runs)\n", median, ms.front(), batch, o.repeat);
  }
  if (o.profile && o.repeat > 0) print_profile(executor, x.data(), y.data(), batch, o.repeat);
  for (int n = 0; n < batch; ++n) print_top5(y.data() + n * net::output_size, n);
  if (!o.output.empty()) {
    typenet::io::write_npy(o.output, {batch, net::output_size}, y.data());
    std::printf("logits written to %s\n", o.output.c_str());
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const usage_error& e) {
    std::fprintf(stderr, "resnext50: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "resnext50: error: %s\n", e.what());
    return 1;
  }
}
