#pragma once
// Where the time goes: every op of an executor's plan timed over `repeat` forward passes, printed
// slowest first with its arithmetic rate and that rate as a share of the FMA peak measured now on
// as many threads (runtime/peak.hpp), and the activation layouts it reads and writes (kernels/
// layout.hpp: "nchw", or "16c" for nChw16c; the plan chooses them). `resnext50 --profile` and
// `typenet run MODEL --profile`.
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include <typenet/kernels/layout.hpp>

#include "executor.hpp"
#include "peak.hpp"

namespace typenet::runtime {

namespace detail {
// "in > out": the layouts of an op's first input and its output, e.g. "nchw > 16c".
inline std::string layouts_of(const op& o) {
  const kernels::layout in = o.in_layouts.empty() ? kernels::layout::nchw : o.in_layouts.front();
  return std::string(kernels::layout_name(in)) + " > " + kernels::layout_name(o.out_layout);
}
}  // namespace detail

inline void print_profile(std::FILE* out, typenet::detail::executor_core& executor, const float* x, float* y, int batch, int repeat) {
  std::vector<double> seconds(executor.op_count(), 0.0);
  for (int r = 0; r < repeat; ++r) executor.forward(x, y, batch, seconds.data());
  const double peak = measure_fma_peak_gflops(executor.threads());
  std::vector<std::size_t> order(seconds.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return seconds[a] > seconds[b]; });
  const double total = std::accumulate(seconds.begin(), seconds.end(), 0.0);
  const auto gflops = [&](long macs, double s) { return s > 0 ? 2.0 * double(macs) * batch * repeat / s / 1e9 : 0.0; };
  int w = 32;  // the name column: the longest name
  for (const auto& op : executor.plan()) w = std::max(w, int(op.name.size()));
  std::fprintf(out, "%-*s %10s %7s %10s %7s  %s\n", w, "op (fused layers)", "ms/pass", "share", "GFLOP/s", "% peak", "layouts");
  long macs = 0;
  for (std::size_t i : order) {
    const auto& op = executor.plan()[i];
    macs += op.macs;
    std::fprintf(out, "%-*s %10.3f %6.1f%% %10.1f %6.1f%%  %s\n", w, op.name.c_str(), seconds[i] / repeat * 1e3,
                 100 * seconds[i] / total, gflops(op.macs, seconds[i]), 100 * gflops(op.macs, seconds[i]) / peak,
                 detail::layouts_of(op).c_str());
  }
  std::fprintf(out, "%-*s %10.3f %6.1f%% %10.1f %6.1f%%\n", w, "total", total / repeat * 1e3, 100.0, gflops(macs, total),
               100 * gflops(macs, total) / peak);
  std::fprintf(out, "peak: %.1f GFLOP/s FP32 FMA on %d thread%s (measured now)\n", peak, executor.threads(),
               executor.threads() == 1 ? "" : "s");
  std::fprintf(out,
               "GFLOP/s counts each layer's multiply-adds as written; a 1x1 layer that Strassen's products run (one\n"
               "thread, stage 3, on CPUs where they pay: include/typenet/kernels/strassen.hpp) does 7/8 of them\n");
}

}  // namespace typenet::runtime
