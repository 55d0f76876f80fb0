// What a 16-channel-blocked activation layout (nChw16c) would buy the 1x1 layers of ResNeXt-50.
//
// typenet keeps every activation in NCHW: its 1x1 kernels vectorise over pixels (56x56, 28x28)
// or over output channels with an in-register transpose at the store (14x14, 7x7). A blocked
// layout lets an output-channel tile store its vectors as they are and read its input as
// contiguous 64-byte lines; it would have to be carried by every op that touches those values
// (a layout per value in the plan, blocked variants of the grouped 3x3s, pools and the stem).
// This benchmark measures the gain before paying for that: per stride-1 1x1 shape of ResNeXt-50
// (batch 1, one thread, bias + ReLU, the residual in place where the model has one),
//   nchw/...     kernels::conv2d, the library's kernel;
//   blocked/...  a 32-channel x 14-pixel tile reading and writing nChw16c (no transpose), run
//                pixel-major over runs of 8 tiles (so a run's input stays in L1/L2 while every
//                weight block passes over it).
// The blocked tile is checked against the reference convolution at start-up. 7x7 images (49
// pixels: tails) and stride 2 are left out: the comparison is about the layout, not the tails.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <typenet/kernels/conv2d.hpp>
#include <typenet/kernels/reference.hpp>

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

using buffer = bench::random_buffer;

#if defined(__AVX512F__) && defined(__FMA__)
constexpr int T = 14, run_tiles = 8;

// 32 output channels x T pixels over K input channels; in, out, res: nChw16c at the tile's first
// pixel (and block); hw: pixels per channel block plane.
inline void blocked_tile(const float* in, long hw, int K, const float* w, const float* bias, const float* res,
                         float* out) {
  __m512 a0[T], a1[T];
  for (int t = 0; t < T; ++t) a0[t] = a1[t] = _mm512_setzero_ps();
  for (int kb = 0; kb < K / 16; ++kb) {
    const float* x = in + kb * hw * 16;
    for (int kk = 0; kk < 16; ++kk, w += 32) {
      const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 16
      for (int t = 0; t < T; ++t) {
        const __m512 b = _mm512_set1_ps(x[16 * t + kk]);
        a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);
        a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);
      }
    }
  }
  const __m512 b0 = _mm512_loadu_ps(bias), b1 = _mm512_loadu_ps(bias + 16), zero = _mm512_setzero_ps();
  for (int t = 0; t < T; ++t) {
    __m512 y0 = _mm512_add_ps(a0[t], b0), y1 = _mm512_add_ps(a1[t], b1);
    if (res) {
      y0 = _mm512_add_ps(y0, _mm512_load_ps(res + 16 * t));
      y1 = _mm512_add_ps(y1, _mm512_load_ps(res + hw * 16 + 16 * t));
    }
    _mm512_store_ps(out + 16 * t, _mm512_mask_max_ps(y0, 0xffff, y0, zero));  // (masked form: see oc_tile.hpp)
    _mm512_store_ps(out + hw * 16 + 16 * t, _mm512_mask_max_ps(y1, 0xffff, y1, zero));
  }
}

// w: [out_c / 32][in_c][32]. hw % T == 0, in_c % 16 == 0, out_c % 32 == 0.
void blocked_conv(const shape& s, const float* in, const float* w, const float* bias, const float* res, float* out) {
  const long hw = long(s.h) * s.h;
  for (long p0 = 0; p0 < hw; p0 += T * run_tiles)
    for (int b = 0; b < s.out_c / 32; ++b)
      for (long p = p0; p < std::min(hw, p0 + T * run_tiles); p += T) {
        const long o = long(b) * 2 * hw * 16 + p * 16;
        blocked_tile(in + p * 16, hw, s.in_c, w + long(b) * s.in_c * 32, bias + b * 32, res ? res + o : nullptr,
                     out + o);
      }
}

long nchw_index(long c, long p, long hw) { return c * hw + p; }
long blocked_index(long c, long p, long hw) { return (c / 16 * hw + p) * 16 + c % 16; }

// The blocked tile against the reference (NCHW) convolution, once per shape.
bool blocked_matches_reference(const shape& s) {
  const long hw = long(s.h) * s.h;
  const auto g = k::make_conv_geometry(s.in_c, s.h, s.h, s.out_c, 1, 1, 0, 1);
  buffer x(g.in_size(), 1), w(g.weight_size(), 2), bias(s.out_c, 3), res(g.out_size(), 4);
  buffer xb(g.in_size()), wb(g.weight_size()), yb(g.out_size()), y(g.out_size());
  for (long c = 0; c < s.in_c; ++c)
    for (long p = 0; p < hw; ++p) xb.get()[blocked_index(c, p, hw)] = x.get()[nchw_index(c, p, hw)];
  for (long o = 0; o < s.out_c; ++o)
    for (long i = 0; i < s.in_c; ++i) wb.get()[(o / 32 * s.in_c + i) * 32 + o % 32] = w.get()[o * s.in_c + i];
  for (long c = 0; c < s.out_c; ++c)
    for (long p = 0; p < hw; ++p) yb.get()[blocked_index(c, p, hw)] = res.get()[nchw_index(c, p, hw)];
  blocked_conv(s, xb.get(), wb.get(), bias.get(), s.residual ? yb.get() : nullptr, yb.get());
  k::reference::conv2d(g, x.get(), w.get(), bias.get(), y.get(), 1);
  for (long c = 0; c < s.out_c; ++c)
    for (long p = 0; p < hw; ++p) {
      float want = y.get()[nchw_index(c, p, hw)] + (s.residual ? res.get()[nchw_index(c, p, hw)] : 0.0f);
      want = std::max(want, 0.0f);
      if (std::fabs(yb.get()[blocked_index(c, p, hw)] - want) > 1e-3f * (1.0f + std::fabs(want))) return false;
    }
  return true;
}

void bm_blocked(benchmark::State& state, shape s) {
  const long hw = long(s.h) * s.h;
  buffer in(s.in_c * hw, 1), w(long(s.in_c) * s.out_c, 2), bias(s.out_c, 3), out(s.out_c * hw, 4);
  for (auto _ : state) {
    blocked_conv(s, in.get(), w.get(), bias.get(), s.residual ? out.get() : nullptr, out.get());
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] =
      benchmark::Counter(2.0 * s.in_c * s.out_c * hw, benchmark::Counter::kIsIterationInvariantRate);
}
#endif

void bm_nchw(benchmark::State& state, shape s) {
  const auto g = k::make_conv_geometry(s.in_c, s.h, s.h, s.out_c, 1, 1, 0, 1);
  buffer in(g.in_size(), 1), w(g.weight_size(), 2), bias(s.out_c, 3), out(g.out_size(), 4);
  buffer packed(k::packed_conv_weight_size(g), 5);
  k::pack_conv_weights(g, w.get(), packed.get());
  const k::epilogue ep{bias.get(), s.residual ? out.get() : nullptr, k::activation::relu};
  for (auto _ : state) {
    k::conv2d(g, in.get(), packed.get(), ep, out.get(), 1, {});
    benchmark::ClobberMemory();
  }
  state.counters["FLOPS"] =
      benchmark::Counter(2.0 * s.in_c * s.out_c * g.out_h * g.out_w, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (const shape& s : shapes) {
    benchmark::RegisterBenchmark((std::string("nchw/") + s.name).c_str(), bm_nchw, s);
#if defined(__AVX512F__) && defined(__FMA__)
    if (!blocked_matches_reference(s)) {
      std::fprintf(stderr, "layout: the blocked tile disagrees with the reference convolution on %s\n", s.name);
      return 1;
    }
    benchmark::RegisterBenchmark((std::string("blocked/") + s.name).c_str(), bm_blocked, s);
#endif
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
