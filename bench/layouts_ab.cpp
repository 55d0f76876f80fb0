// ResNeXt-50 with and without blocked activation layouts (kernels/layout.hpp), A/B in one process:
//
//   build/bin/layouts_ab [threads=1] [passes=40] [batch=1] [chosen|all]
//
// Two executors on the same seeded weights, one planned with TYPENET_BLOCKED=0 (NCHW everywhere),
// one with the layouts a plan chooses for these threads and batch (runtime/plan.hpp's
// blocked_min_pixels), or with `all` TYPENET_BLOCKED=1 (nChw16c wherever producer and readers
// take it, whatever the threads), run in alternation:
// on a noisy shared machine the host's slow and fast phases then fall on both alike, which separate
// runs (or Google Benchmark's one case after the other) do not give. Prints each op's median time
// in both plans, the medians of the passes' wall times and their ratio, and the largest difference
// between the two plans' logits.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <typenet/runtime/executor.hpp>
#include <typenet/typenet.hpp>

namespace {
using model = typenet::models::resnext50_32x4d;
using net = typenet::executor<model>;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1, passes = argc > 2 ? std::atoi(argv[2]) : 40;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 1;
  const std::string which = argc > 4 ? argv[4] : "chosen";
  if (threads < 1 || passes < 1 || batch < 1 || (which != "chosen" && which != "all")) {
    std::fprintf(stderr, "usage: layouts_ab [threads >= 1] [passes >= 1] [batch >= 1] [chosen|all]\n");
    return 2;
  }
  const auto w = typenet::seeded_weights<model>(1);
  const auto planned = [&](const char* blocked) {  // (read when the plan is made; null: the plan's choice)
    if (blocked)
      ::setenv("TYPENET_BLOCKED", blocked, 1);
    else
      ::unsetenv("TYPENET_BLOCKED");
    return net(w, {.threads = threads, .max_batch = batch});
  };
  net plans[2] = {planned("0"), planned(which == "all" ? "1" : nullptr)};
  ::unsetenv("TYPENET_BLOCKED");
  std::vector<float> x(std::size_t(model::input_shape::size) * std::size_t(batch));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float(i * 7919 % 1000) / 1000.0f;
  std::vector<float> y[2] = {std::vector<float>(std::size_t(1000 * batch)), std::vector<float>(std::size_t(1000 * batch))};
  const std::size_t ops = plans[0].op_count();
  std::vector<std::vector<double>> op_ms[2] = {std::vector<std::vector<double>>(ops), std::vector<std::vector<double>>(ops)};
  std::vector<double> wall[2];
  for (int p = -1; p < passes; ++p)  // (pass -1: the warm-up)
    for (int k = 0; k < 2; ++k) {
      std::vector<double> seconds(ops, 0.0);
      const auto t0 = std::chrono::steady_clock::now();
      plans[k].forward(x.data(), y[k].data(), batch, seconds.data());
      const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      if (p < 0) continue;
      wall[k].push_back(ms);
      for (std::size_t i = 0; i < ops; ++i) op_ms[k][i].push_back(seconds[i] * 1e3);
    }
  std::printf("%-34s %9s %9s %8s\n", "op (ms, medians)", "NCHW", "blocked", "diff");
  for (std::size_t i = 0; i < ops; ++i) {
    const double a = median(op_ms[0][i]), b = median(op_ms[1][i]);
    const bool out16c = plans[1].plan()[i].out_layout == typenet::kernels::layout::nchw16c;
    std::printf("%-34s %9.3f %9.3f %+8.3f%s\n", plans[0].plan()[i].name.c_str(), a, b, b - a, out16c ? "  (writes nChw16c)" : "");
  }
  float diff = 0.0f;
  for (std::size_t i = 0; i < y[0].size(); ++i) diff = std::max(diff, std::fabs(y[0][i] - y[1][i]));
  std::printf("wall, median of %d passes: NCHW %.2f ms, blocked %.2f ms, blocked / NCHW %.3f (batch %d, %d thread%s)\n", passes,
              median(wall[0]), median(wall[1]), median(wall[1]) / median(wall[0]), batch, threads, threads == 1 ? "" : "s");
  std::printf("largest |logit difference| between the plans: %g\n", double(diff));
}
