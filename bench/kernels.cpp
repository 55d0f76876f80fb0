// Kernel benchmarks on ResNeXt-50 32x4d (and ResNet-50, Inception-v3, the mobile zoo's depthwise)
// layer geometries, batch 1, 224x224.
// Counter "FLOPS" = 2 * MACs per second (for strassen/, the direct product's MACs: comparable).
// Single-threaded runs use CPU time (robust against other processes on a shared machine); the
// 2-thread runs (thread_pool) use wall time.
// "peak_fma" measures the machine's FMA ceiling (registers only) for the ratio.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>

#include <typenet/kernels/conv2d.hpp>
#include <typenet/kernels/linear.hpp>
#include <typenet/kernels/pool.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/strassen.hpp>
#include <typenet/runtime/peak.hpp>
#include <typenet/runtime/thread_pool.hpp>

#include "random_buffer.hpp"

namespace k = typenet::kernels;

namespace {

struct named_geometry {
  const char* name;
  k::conv_geometry g;
};

// A square h x h input, "same" padding (kernel / 2 per axis).
constexpr k::conv_geometry conv(int in_c, int h, int out_c, typenet::hw kernel, int stride, int groups) {
  return k::make_conv_geometry(in_c, h, h, out_c, kernel, stride, {kernel.h / 2, kernel.w / 2}, groups);
}

// The distinct conv shapes of ResNeXt-50 32x4d (torchvision: stride on the 3x3), in order.
const named_geometry resnext[] = {
    {"stem_7x7s2_3-64_224", conv(3, 224, 64, 7, 2, 1)},
    {"s1_1x1_64-128_56", conv(64, 56, 128, 1, 1, 1)},
    {"s1_1x1_256-128_56", conv(256, 56, 128, 1, 1, 1)},
    {"s1_3x3g32_128_56", conv(128, 56, 128, 3, 1, 32)},
    {"s1_1x1_128-256_56", conv(128, 56, 256, 1, 1, 1)},
    {"s1_proj_1x1_64-256_56", conv(64, 56, 256, 1, 1, 1)},
    {"s2_1x1_256-256_56", conv(256, 56, 256, 1, 1, 1)},
    {"s2_3x3g32s2_256_56", conv(256, 56, 256, 3, 2, 32)},
    {"s2_proj_1x1s2_256-512_56", conv(256, 56, 512, 1, 2, 1)},
    {"s2_1x1_512-256_28", conv(512, 28, 256, 1, 1, 1)},
    {"s2_3x3g32_256_28", conv(256, 28, 256, 3, 1, 32)},
    {"s2_1x1_256-512_28", conv(256, 28, 512, 1, 1, 1)},
    {"s3_1x1_512-512_28", conv(512, 28, 512, 1, 1, 1)},
    {"s3_3x3g32s2_512_28", conv(512, 28, 512, 3, 2, 32)},
    {"s3_proj_1x1s2_512-1024_28", conv(512, 28, 1024, 1, 2, 1)},
    {"s3_1x1_1024-512_14", conv(1024, 14, 512, 1, 1, 1)},
    {"s3_3x3g32_512_14", conv(512, 14, 512, 3, 1, 32)},
    {"s3_1x1_512-1024_14", conv(512, 14, 1024, 1, 1, 1)},
    {"s4_1x1_1024-1024_14", conv(1024, 14, 1024, 1, 1, 1)},
    {"s4_3x3g32s2_1024_14", conv(1024, 14, 1024, 3, 2, 32)},
    {"s4_proj_1x1s2_1024-2048_14", conv(1024, 14, 2048, 1, 2, 1)},
    {"s4_1x1_2048-1024_7", conv(2048, 7, 1024, 1, 1, 1)},
    {"s4_3x3g32_1024_7", conv(1024, 7, 1024, 3, 1, 32)},
    {"s4_1x1_1024-2048_7", conv(1024, 7, 2048, 1, 1, 1)},
    // ResNet-50's dense 3x3s
    {"r50_3x3_64_56", conv(64, 56, 64, 3, 1, 1)},
    {"r50_3x3_256_14", conv(256, 14, 256, 3, 1, 1)},
    {"r50_3x3_512_7", conv(512, 7, 512, 3, 1, 1)},
    // Inception-v3's factorised 7x7 (Mixed_6b-e, 17x17) and 3x3 (Mixed_7b-c, 8x8) convolutions
    {"inc_1x7_128_17", conv(128, 17, 128, {1, 7}, 1, 1)},
    {"inc_7x1_128-192_17", conv(128, 17, 192, {7, 1}, 1, 1)},
    {"inc_1x7_192_17", conv(192, 17, 192, {1, 7}, 1, 1)},
    {"inc_7x1_192_17", conv(192, 17, 192, {7, 1}, 1, 1)},
    {"inc_1x3_384_8", conv(384, 8, 384, {1, 3}, 1, 1)},
    {"inc_3x1_448-384_8", conv(448, 8, 384, {3, 1}, 1, 1)},
    // Depthwise (groups == channels) convolutions of MobileNetV2/V3, MNASNet and EfficientNet
    {"dw_3x3_96_112", conv(96, 112, 96, 3, 1, 96)},
    {"dw_3x3s2_96_112", conv(96, 112, 96, 3, 2, 96)},
    {"dw_3x3_144_56", conv(144, 56, 144, 3, 1, 144)},
    {"dw_3x3_576_14", conv(576, 14, 576, 3, 1, 576)},
    {"dw_3x3_960_7", conv(960, 7, 960, 3, 1, 960)},
    {"dw_5x5_240_28", conv(240, 28, 240, 5, 1, 240)},
    {"dw_5x5s2_144_56", conv(144, 56, 144, 5, 2, 144)},
    {"dw_5x5_672_14", conv(672, 14, 672, 5, 1, 672)},
};

using buffer = bench::random_buffer;

double macs(const k::conv_geometry& g) {
  return double(g.out_size()) * g.in_c_per_group() * g.taps();
}

typenet::runtime::thread_pool& pool2() {
  static typenet::runtime::thread_pool pool(2);
  return pool;
}

void bm_conv(benchmark::State& state, k::conv_geometry g, int threads, k::activation act) {
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(g.out_c, 3), out(g.out_size(), 4);
  buffer packed(k::packed_conv_weight_size(g), 5);
  k::pack_conv_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), nullptr, act};
  for (auto _ : state) {
    if (threads == 1)
      k::conv2d(g, in.get(), packed.get(), ep, out.get(), 1, {});
    else
      pool2().run([&](k::part p) { k::conv2d(g, in.get(), packed.get(), ep, out.get(), 1, p); });
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2 * macs(g), benchmark::Counter::kIsIterationInvariantRate);
}

// The same layer through Strassen's seven products (kernels/strassen.hpp), one thread: beside
// conv/<name>/t1 for the layers strassen_applies to (strassen_fast takes those where it wins).
void bm_strassen(benchmark::State& state, k::conv_geometry g) {
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(g.out_c, 3), out(g.out_size(), 4);
  buffer packed(k::packed_strassen_weight_size(g), 5), sums(k::strassen_scratch_size(g), 6);
  k::pack_strassen_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), nullptr, k::activation::relu};
  for (auto _ : state) {
    k::strassen_conv2d(g, in.get(), sums.get(), packed.get(), ep, out.get(), 1);
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2 * macs(g), benchmark::Counter::kIsIterationInvariantRate);
}

// One part of a 2-way split, alone on one thread (CPU time): how evenly conv2d's parts divide the
// work, measured without the noise of a second thread on a shared machine.
void bm_conv_part(benchmark::State& state, k::conv_geometry g, int index) {
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(g.out_c, 3), out(g.out_size(), 4);
  buffer packed(k::packed_conv_weight_size(g), 5);
  k::pack_conv_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), nullptr, k::activation::relu};
  for (auto _ : state) {
    k::conv2d(g, in.get(), packed.get(), ep, out.get(), 1, {index, 2});
    benchmark::ClobberMemory();
  }
}

// ResNet's stem and its 3x3/2 max pool: in one pass (kernels::stem_max_pool), or the stem and
// then the pool (the unfused pair, through a 3.2 MB intermediate).
void bm_stem_pool(benchmark::State& state, bool fused, int threads) {
  const k::conv_geometry g = conv(3, 224, 64, 7, 2, 1);
  const k::pool_geometry q = k::make_pool_geometry(64, 112, 112, 3, 3, 2, 2, 1, 1);
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(g.out_c, 3), mid(g.out_size(), 4), out(q.out_size(), 5);
  buffer packed(k::packed_conv_weight_size(g), 6);
  k::pack_conv_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), nullptr, k::activation::relu};
  const auto part = [&](k::part p) {
    if (fused) return k::stem_max_pool(g, q, in.get(), packed.get(), ep, out.get(), 1, p);
    k::conv2d(g, in.get(), packed.get(), ep, mid.get(), 1, p);
  };
  for (auto _ : state) {
    if (threads == 1) {
      part({});
      if (!fused) k::max_pool(q, mid.get(), out.get(), 1, {});
    } else {
      pool2().run(part);
      if (!fused) pool2().run([&](k::part p) { k::max_pool(q, mid.get(), out.get(), 1, p); });
    }
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2 * macs(g), benchmark::Counter::kIsIterationInvariantRate);
}

void bm_conv_reference(benchmark::State& state, k::conv_geometry g) {
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(g.out_c, 3), out(g.out_size(), 4);
  for (auto _ : state) {
    k::reference::conv2d(g, in.get(), w.get(), bias.get(), out.get(), 1);
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] = benchmark::Counter(2 * macs(g), benchmark::Counter::kIsIterationInvariantRate);
}

// A pool kernel (fast, on 1 or 2 threads, or the reference one) on one image.
using pool_kernel = void (*)(const k::pool_geometry&, const float*, float*, int, k::part);
using reference_pool_kernel = void (*)(const k::pool_geometry&, const float*, float*, int);
void bm_pool(benchmark::State& state, pool_kernel fast, reference_pool_kernel reference, k::pool_geometry g, int threads) {
  buffer in(g.in_size()), out(g.out_size());
  for (auto _ : state) {
    if (threads == 0)
      reference(g, in.get(), out.get(), 1);
    else if (threads == 1)
      fast(g, in.get(), out.get(), 1, {});
    else
      pool2().run([&](k::part p) { fast(g, in.get(), out.get(), 1, p); });
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] = benchmark::Counter(double(g.in_size() + g.out_size()) * 4,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void bm_linear(benchmark::State& state, int threads) {
  const int fi = 2048, fo = 1000;
  buffer in(fi), w(long(fi) * fo), b(fo), out(fo);
  for (auto _ : state) {
    if (threads == 1)
      k::linear(fi, fo, in.get(), w.get(), b.get(), out.get(), 1, {});
    else
      pool2().run([&](k::part p) { k::linear(fi, fo, in.get(), w.get(), b.get(), out.get(), 1, p); });
    benchmark::ClobberMemory();
  }
  state.counters["bytes"] = benchmark::Counter(double(fi) * fo * 4,
                                               benchmark::Counter::kIsIterationInvariantRate);
}

void bm_pool_dispatch(benchmark::State& state) {
  for (auto _ : state) pool2().run([](k::part p) { benchmark::DoNotOptimize(p); });
}

// Independent FMA chains in registers (runtime/peak.hpp, the loop `resnext50 --profile` uses):
// the single-core FP32 ceiling.
void bm_peak_fma(benchmark::State& state) {
  const long n = 1 << 20;
  for (auto _ : state) benchmark::DoNotOptimize(typenet::runtime::fma_loop(n));
  state.counters["FLOPS"] = benchmark::Counter(typenet::runtime::fma_loop_flop(n), benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  benchmark::RegisterBenchmark("peak_fma", bm_peak_fma);
  for (const auto& c : resnext)
    benchmark::RegisterBenchmark((std::string("conv/") + c.name + "/t1").c_str(), bm_conv, c.g, 1, k::activation::relu);
  for (const auto& c : resnext)
    benchmark::RegisterBenchmark((std::string("conv/") + c.name + "/t2").c_str(), bm_conv, c.g, 2, k::activation::relu)
        ->UseRealTime();
  for (const auto& c : resnext)
    if (k::strassen_applies(c.g))
      benchmark::RegisterBenchmark((std::string("strassen/") + c.name + "/t1").c_str(), bm_strassen, c.g);
  for (const auto& c : resnext)
    for (int index = 0; index < 2; ++index)
      benchmark::RegisterBenchmark((std::string("conv/") + c.name + "/part" + char('0' + index) + "of2").c_str(),
                                   bm_conv_part, c.g, index);
  // The other fused activations (relu in the rest): on a depthwise and an expanding 1x1 layer
  const std::pair<const char*, k::activation> acts[] = {
      {"relu6", k::activation::relu6}, {"hardswish", k::activation::hardswish}, {"silu", k::activation::silu}};
  for (const auto& [act, kind] : acts) {
    benchmark::RegisterBenchmark((std::string("conv/dw_3x3_144_56/t1/") + act).c_str(), bm_conv,
                                 conv(144, 56, 144, 3, 1, 144), 1, kind);
    benchmark::RegisterBenchmark((std::string("conv/mb_1x1_24-144_56/t1/") + act).c_str(), bm_conv,
                                 conv(24, 56, 144, 1, 1, 1), 1, kind);
  }
  for (bool fused : {true, false}) {
    const std::string name = std::string("stem_7x7s2_3-64_224+max_pool/") + (fused ? "fused" : "apart");
    benchmark::RegisterBenchmark((name + "/t1").c_str(), bm_stem_pool, fused, 1);
    benchmark::RegisterBenchmark((name + "/t2").c_str(), bm_stem_pool, fused, 2)->UseRealTime();
  }
  benchmark::RegisterBenchmark("conv_reference/s1_3x3g32_128_56", bm_conv_reference, resnext[3].g)
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("conv_reference/s1_1x1_256-128_56", bm_conv_reference, resnext[2].g)
      ->Unit(benchmark::kMillisecond);
  // ResNet's max pool, SqueezeNet's (ceil mode), Inception-v3's branch pool, DenseNet's transition.
  struct pool_bench {
    const char* name;
    pool_kernel fast;
    reference_pool_kernel reference;
    k::pool_geometry g;
  };
  const pool_bench pools[] = {
      {"max_pool_3x3s2p1_64_112", k::max_pool, k::reference::max_pool, k::make_pool_geometry(64, 112, 112, 3, 3, 2, 2, 1, 1)},
      {"max_pool_3x3s2_ceil_96_109", k::max_pool, k::reference::max_pool,
       k::make_pool_geometry(96, 109, 109, 3, 3, 2, 2, 0, 0, true)},
      {"avg_pool_3x3s1p1_288_35", k::avg_pool, k::reference::avg_pool, k::make_pool_geometry(288, 35, 35, 3, 3, 1, 1, 1, 1)},
      {"avg_pool_2x2s2_256_56", k::avg_pool, k::reference::avg_pool, k::make_pool_geometry(256, 56, 56, 2, 2, 2, 2, 0, 0)}};
  for (const auto& b : pools) {
    benchmark::RegisterBenchmark((std::string(b.name) + "/t1").c_str(), bm_pool, b.fast, b.reference, b.g, 1);
    benchmark::RegisterBenchmark((std::string(b.name) + "/t2").c_str(), bm_pool, b.fast, b.reference, b.g, 2)->UseRealTime();
    benchmark::RegisterBenchmark((std::string(b.name) + "/reference").c_str(), bm_pool, b.fast, b.reference, b.g, 0);
  }
  benchmark::RegisterBenchmark("linear_2048-1000/t1", bm_linear, 1);
  benchmark::RegisterBenchmark("linear_2048-1000/t2", bm_linear, 2)->UseRealTime();
  benchmark::RegisterBenchmark("thread_pool_run/t2", bm_pool_dispatch)->UseRealTime();
  return 0;
}

const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
