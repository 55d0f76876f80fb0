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
// the table, slowest first), --max-pixels N (refuse images over N pixels, default 64000000, read
// from the header before decoding), --allow-non-finite (run an --input holding NaN or infinity;
// by default it is refused). At most 256 images a batch (--image or the N of --input), at most
// 1024 threads. The --output path is checked before anything runs and written all or nothing.
// Errors go to stderr with exit code 1 (2 for a bad command line).
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/io/image.hpp>
#include <typenet/io/npy.hpp>
#include <typenet/runtime/executor.hpp>
#include <typenet/runtime/profile.hpp>
#include <typenet/runtime/finite.hpp>
#include <typenet/typenet.hpp>

namespace {
using model = typenet::models::resnext50_32x4d;
using net = typenet::executor<model>;

constexpr int max_batch = 256;     // images a run (about 20 MB of activations each)
constexpr int max_threads = typenet::runtime::thread_pool::max_threads;  // 1024: more is a typo

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct options {
  std::string weights, input, output;
  std::vector<std::string> images;
  int threads = 0, repeat = 5, summary_depth = 1;
  unsigned long seed = 42;
  typenet::io::image_limits limits;
  bool reference = false, quiet = false, profile = false, allow_non_finite = false;
};

// The whole of `value` as an integer in [min, max]; else a usage error naming the flag and range.
template <class T = int>
T to_int(const std::string& flag, const std::string& value, T min, T max = std::numeric_limits<T>::max()) {
  T v{};
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty() || v < min || v > max)
    throw usage_error(flag + " needs an integer " +
                      (max == std::numeric_limits<T>::max() ? ">= " + std::to_string(min)
                                                            : "from " + std::to_string(min) + " to " + std::to_string(max)) +
                      ", got '" + typenet::io::printable(value) + "'");
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
    else if (a == "--threads") o.threads = to_int(a, value(), 1, max_threads);
    else if (a == "--max-pixels") o.limits.max_pixels = to_int<std::uint64_t>(a, value(), 1, std::uint64_t(1) << 40);
    else if (a == "--allow-non-finite") o.allow_non_finite = true;
    else if (a == "--repeat") o.repeat = to_int(a, value(), 0);
    else if (a == "--seed") o.seed = unsigned(to_int(a, value(), 0));
    else if (a == "--summary-depth") o.summary_depth = to_int(a, value(), -1);
    else if (a == "--reference") o.reference = true;
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--profile") o.profile = true;
    else if (a == "--help" || a == "-h") {
      std::cout << "usage: resnext50 [--weights W.safetensors] [--input X.npy | --image FILE...] [--output Y.npy]\n"
                   "                 [--threads N] [--repeat N] [--seed N] [--reference] [--summary-depth N] [--quiet] [--profile]\n"
                   "                 [--max-pixels N] [--allow-non-finite]\n"
                   "at most " << max_batch << " images a batch and " << max_threads << " threads; see the comment atop examples/resnext50.cpp\n";
      std::exit(0);
    } else throw usage_error("unknown argument '" + typenet::io::printable(a) + "' (see --help)");
  }
  if (!o.input.empty() && !o.images.empty()) throw usage_error("give --input or --image, not both");
  if (o.images.size() > std::size_t(max_batch))
    throw usage_error(std::to_string(o.images.size()) + " images: at most " + std::to_string(max_batch) + " a run");
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
    if (a.shape[0] > max_batch)
      throw typenet::io::io_error(o.input + ": input has a batch of " + std::to_string(a.shape[0]) + " images, at most " +
                                  std::to_string(max_batch) + " a run");
    if (!o.allow_non_finite)  // PyTorch would answer NaN: say where instead
      typenet::check_finite(a.data, o.input + ": input " + typenet::io::shape_string(a.shape) +
                            " (--allow-non-finite runs it anyway)", a.shape);
    batch = int(a.shape[0]);
    return std::move(a.data);
  }
  // One image at a time: decoded, preprocessed into its slot, freed.
  batch = o.images.empty() ? 1 : int(o.images.size());
  std::vector<float> x(std::size_t(batch) * std::size_t(in::size));
  for (int n = 0; n < batch; ++n) {
    float* slot = x.data() + std::size_t(n) * std::size_t(in::size);
    typenet::io::imagenet_preprocess(o.images.empty() ? typenet::io::test_card() : typenet::io::load_image(o.images[std::size_t(n)], o.limits),
                                     slot);
  }
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

int run(const options& o) {
  if (!o.output.empty()) typenet::io::check_writable(o.output);  // before the work, not after
  if (!o.quiet) typenet::print_summary<model>(std::cout, "resnext50_32x4d", o.summary_depth);

  int batch = 0;
  const std::vector<float> x = load_batch(o, batch);
  // Set-up: reading (or seeding) the weights, then planning, folding and packing them.
  const auto t0 = std::chrono::steady_clock::now();
  const auto weights = o.weights.empty() ? typenet::seeded_weights<model>(o.seed) : typenet::load_weights<model>(o.weights);
  const auto t1 = std::chrono::steady_clock::now();
  net executor(weights, {.threads = o.threads, .max_batch = batch, .fused = !o.reference});
  const auto t2 = std::chrono::steady_clock::now();
  std::printf("weights: %s | batch %d | threads %d | %s kernels | %zu ops\n",
              o.weights.empty() ? ("seeded (seed " + std::to_string(o.seed) + ")").c_str() : o.weights.c_str(), batch,
              executor.threads(), o.reference ? "reference" : "fused", executor.op_count());
  const auto elapsed_ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf("setup_ms total=%.1f weights=%.1f build=%.1f (%s; build: checks, plan, batch-norm folding, packing)\n", elapsed_ms(t0, t2),
              elapsed_ms(t0, t1), elapsed_ms(t1, t2), o.weights.empty() ? "weights seeded" : "weights mapped and checked");

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
  if (o.profile && o.repeat > 0) typenet::runtime::print_profile(stdout, executor, x.data(), y.data(), batch, o.repeat);
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
