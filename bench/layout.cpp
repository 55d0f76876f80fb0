// What the nChw16c activation layout (kernels/layout.hpp) buys ResNeXt-50's 1x1 layers, side by
// side: per stride-1 1x1 shape of the model (batch 1, one thread, bias + ReLU, the residual in
// place where the model has one), the library's kernels::conv2d with each pair of layouts,
//
//   <shape>/nchw>nchw   NCHW in and out: the kernel the library picks there (the pixel-vector
//                       tile on 56x56 and 28x28, the oc tile with its transposing store on 14x14);
//   <shape>/nchw>16c    the oc tile (kernels/pointwise.hpp) storing nChw16c as its registers hold it;
//   <shape>/16c>nchw    reading nChw16c, storing NCHW through the transpose;
//   <shape>/16c>16c     both blocked (a residual stream the plan lays out blocked end to end).
//
// The plan (runtime/plan.hpp, choose_layouts) blocks a value only where its producer and every
// reader take it; these figures are what each side of that choice costs or gains. Every pair is
// tested against the reference convolution in tests/unit/kernels_fast.cpp.
#include <benchmark/benchmark.h>

#include <string>

#include <typenet/kernels/conv2d.hpp>

#include "random_buffer.hpp"

namespace k = typenet::kernels;

namespace {

struct shape {
  const char* name;
  int in_c, h, out_c;
  bool residual;
};

// ResNeXt-50 32x4d's stride-1 1x1 layers (conv1, conv3 with its residual, the stage-1 projection).
const shape shapes[] = {
    {"s1_1x1_64-128_56", 64, 56, 128, false},      {"s1_1x1_256-128_56", 256, 56, 128, false},
    {"s1_1x1_128-256_56+res", 128, 56, 256, true}, {"s1_proj_1x1_64-256_56", 64, 56, 256, false},
    {"s2_1x1_256-256_56", 256, 56, 256, false},    {"s2_1x1_512-256_28", 512, 28, 256, false},
    {"s2_1x1_256-512_28+res", 256, 28, 512, true}, {"s3_1x1_512-512_28", 512, 28, 512, false},
    {"s3_1x1_1024-512_14", 1024, 14, 512, false},  {"s3_1x1_512-1024_14+res", 512, 14, 1024, true},
    {"s4_1x1_1024-1024_14", 1024, 14, 1024, false},
};

void bm_layouts(benchmark::State& state, shape s, k::layout in, k::layout out) {
  auto g = k::make_conv_geometry(s.in_c, s.h, s.h, s.out_c, 1, 1, 0, 1);
  g.in_layout = in, g.out_layout = out;
  if ((in != k::layout::nchw || out != k::layout::nchw) && !k::pointwise_takes_layout(g)) {
    state.SkipWithError("the pointwise kernel does not take this shape blocked");
    return;
  }
  // (the operands' values do not depend on the layout: random either way)
  bench::random_buffer x(g.in_size(), 1), w(g.weight_size(), 2), bias(s.out_c, 3), y(g.out_size(), 4);
  bench::random_buffer packed(k::packed_conv_weight_size(g), 5);
  k::pack_conv_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), s.residual ? y.get() : nullptr, k::activation::relu};
  for (auto _ : state) {
    k::conv2d(g, x.get(), packed.get(), ep, y.get(), 1, {});
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] =
      benchmark::Counter(2.0 * s.in_c * s.out_c * g.out_h * g.out_w, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  constexpr k::layout both[] = {k::layout::nchw, k::layout::nchw16c};
  for (const shape& s : shapes)
    for (k::layout in : both)
      for (k::layout out : both)
        benchmark::RegisterBenchmark((std::string(s.name) + "/" + k::layout_name(in) + ">" + k::layout_name(out)).c_str(), bm_layouts, s,
                                     in, out);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
