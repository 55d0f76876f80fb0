#pragma once
// Dense 1x1 convolutions on small images (14x14, 7x7: ResNe(X)t's stages 3 and 4), vectorised over
// output channels instead of pixels.
//
// The register tile is 32 output channels (two vectors of the packed block [ci][32]) x T <= 14
// output pixels: per input channel, two weight loads and T broadcasts of input pixels feed 2T
// FMAs (28 accumulators), and the tile's input is T contiguous floats per channel plane (stride 1)
// or every second float of one output row's input (stride 2), so neither padding nor row ends
// cost a lane. At the store the 32 x T tile is transposed in registers into NCHW rows, where bias,
// residual and activation apply as everywhere else. Measured on ResNeXt-50's shapes (one core,
// hot caches): 1024->512 at 14x14 113 vs 105 GFLOP/s of the pixel-vector tile, 2048->1024 at 7x7
// 121 vs 104; at 28x28 and 56x56 (fewer input channels per output row) the pixel tile is as fast
// or faster, so only layers of at most 14x14 outputs and 256 or more input channels come here.
//
// Work: (oc block, image, pixel tile) items, oc-block-major so that a block's weights (K x 128 B)
// stay in L2 across the batch and two threads at batch 1 each read half of the weights; the next
// block's weights are prefetched while the current one runs.
#include <algorithm>

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace typenet::kernels {

// Output channels per block of the packed weights of a pointwise-fast layer.
constexpr int pointwise_block = 32;

// The layers this kernel takes (the packing follows it: blocks of 32 output channels).
constexpr bool pointwise_fast(const conv_geometry& g) {
  return g.groups == 1 && g.kernel_h == 1 && g.kernel_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.stride_h == g.stride_w && (g.stride_h == 1 || g.stride_h == 2) && g.out_c % pointwise_block == 0 &&
         g.in_c >= 256 && long(g.out_h) * g.out_w <= 196;
}

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// 16 x 16 transpose: r[i] lane j <- r[j] lane i. (The masked intrinsics with a full mask: the
// plain ones start from _mm512_undefined_*, which GCC 12 reports as -Wuninitialized.)
[[gnu::always_inline]] inline void transpose16(__m512 r[16]) {
  auto lo32 = [](__m512 a, __m512 b) { return _mm512_mask_unpacklo_ps(a, 0xffff, a, b); };
  auto hi32 = [](__m512 a, __m512 b) { return _mm512_mask_unpackhi_ps(a, 0xffff, a, b); };
  auto lo64 = [](__m512 a, __m512 b) {
    const __m512d x = _mm512_castps_pd(a);
    return _mm512_castpd_ps(_mm512_mask_unpacklo_pd(x, 0xff, x, _mm512_castps_pd(b)));
  };
  auto hi64 = [](__m512 a, __m512 b) {
    const __m512d x = _mm512_castps_pd(a);
    return _mm512_castpd_ps(_mm512_mask_unpackhi_pd(x, 0xff, x, _mm512_castps_pd(b)));
  };
  // 128-bit lanes: even ones (0x88) and odd ones (0xdd) of a and b
  auto even = [](__m512 a, __m512 b) { return _mm512_mask_shuffle_f32x4(a, 0xffff, a, b, 0x88); };
  auto odd = [](__m512 a, __m512 b) { return _mm512_mask_shuffle_f32x4(a, 0xffff, a, b, 0xdd); };
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = lo32(r[i], r[i + 1]);
    t[i + 1] = hi32(r[i], r[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    r[i] = lo64(t[i], t[i + 2]);
    r[i + 1] = hi64(t[i], t[i + 2]);
    r[i + 2] = lo64(t[i + 1], t[i + 3]);
    r[i + 3] = hi64(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 4; ++i) {
    t[i] = even(r[i], r[i + 4]);
    t[i + 4] = odd(r[i], r[i + 4]);
    t[i + 8] = even(r[i + 8], r[i + 12]);
    t[i + 12] = odd(r[i + 8], r[i + 12]);
  }
  for (int i = 0; i < 4; ++i) {
    r[i] = even(t[i], t[i + 8]);
    r[i + 8] = odd(t[i], t[i + 8]);
    r[i + 4] = even(t[i + 4], t[i + 12]);
    r[i + 12] = odd(t[i + 4], t[i + 12]);
  }
}

struct pointwise_tile_args {
  const float* in;  // input of the tile's first pixel, channel 0
  long hw;          // input channel stride
  int K;            // input channels
  const float* w;   // packed block [K][32]
  float* out;       // output of the tile's first pixel, the block's first channel
  const float* res; // like out, or null
  long ohw;         // output channel stride (also the residual's)
  const float* bias;  // at the block's first channel, or null
  activation act;
  // One line prefetched into L2 per input channel (the next block's weights), advancing by
  // pf_step bytes: 64, or 0 to stay on a line already in cache.
  const char* pf;
  long pf_step;
};

// T output pixels (input offsets S * t) x 32 output channels, all input channels.
template <int T, int S>
inline void pointwise_tile(const pointwise_tile_args& a) {
  __m512 a0[T], a1[T];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) a0[t] = a1[t] = _mm512_setzero_ps();
  const float* w = a.w;
  const float* x = a.in;
  const char* pf = a.pf;
  for (int ci = 0; ci < a.K; ++ci, w += pointwise_block, x += a.hw, pf += a.pf_step) {
    __builtin_prefetch(pf, 0, 2);
    const __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const __m512 b = _mm512_set1_ps(x[S * t]);
      a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);
      a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);
    }
  }
  // Through L1 to the transpose: indexing the accumulators there by a run-time half would make
  // GCC keep them in memory inside the loop above.
  alignas(64) float acc[2][T][16];
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) {
    _mm512_store_ps(acc[0][t], a0[t]);
    _mm512_store_ps(acc[1][t], a1[t]);
  }
  const __mmask16 m = __mmask16((1u << T) - 1);
  for (int h = 0; h < 2; ++h) {
    __m512 r[16];
    for (int t = 0; t < 16; ++t) r[t] = t < T ? _mm512_load_ps(acc[h][t]) : _mm512_setzero_ps();
    transpose16(r);
    for (int l = 0; l < 16; ++l) {
      const long o = long(h * 16 + l) * a.ohw;
      __m512 y = r[l];
      if (a.bias) y = _mm512_add_ps(y, _mm512_set1_ps(a.bias[h * 16 + l]));
      if (a.res) y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(m, a.res + o));
      _mm512_mask_storeu_ps(a.out + o, m, activate_in_register(a.act, y));
    }
  }
  if (activated_after_store(a.act))
    for (int c = 0; c < pointwise_block; ++c) activate_stored(a.act, a.out + c * a.ohw, m);
}

// A run of n output pixels with input offsets S * t: tiles of 14, then 7, 4 and 1.
template <int S>
inline void pointwise_run(pointwise_tile_args a, int n) {
  auto step = [&](int t) {
    a.in += S * t;
    a.out += t;
    if (a.res) a.res += t;
    a.pf_step = 0;  // the first tile prefetches
  };
  for (; n >= 14; n -= 14, step(14)) pointwise_tile<14, S>(a);
  if (n >= 7) pointwise_tile<7, S>(a), n -= 7, step(7);
  for (; n >= 4; n -= 4, step(4)) pointwise_tile<4, S>(a);
  for (; n >= 1; n -= 1, step(1)) pointwise_tile<1, S>(a);
}

// Stride 1 runs over the flattened image (no padding: input offset = output offset); stride 2
// runs one output row at a time.
template <int S>
inline void pointwise_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep,
                             float* out, int batch, part p) {
  const int nb = g.out_c / pointwise_block, K = g.in_c;
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  // runs of one image: stride 1, 14 pixels of the flattened image; stride 2, one output row
  const int runs = S == 1 ? int((ohw + 13) / 14) : g.out_h;
  const long wblock = long(K) * pointwise_block;
  const long per_block = long(batch) * runs, items = nb * per_block;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  pointwise_tile_args a{};
  a.hw = hw;
  a.K = K;
  a.ohw = ohw;
  a.act = ep.act;
  for (long it = i0; it < i1; ++it) {
    const int b = int(it / per_block), n = int(it % per_block / runs), row = int(it % runs);
    const long in_off = S == 1 ? 14L * row : long(row) * S * g.in_w, out_off = S == 1 ? 14L * row : long(row) * g.out_w;
    const int len = int(S == 1 ? std::min(14L, ohw - out_off) : g.out_w);
    a.w = wp + b * wblock;
    a.in = in + n * g.in_image() + in_off;
    a.out = out + n * g.out_image() + long(b) * pointwise_block * ohw + out_off;
    a.res = ep.residual ? ep.residual + n * g.out_size() + long(b) * pointwise_block * ohw + out_off : nullptr;
    a.bias = ep.bias ? ep.bias + b * pointwise_block : nullptr;
    // The next block's weights into L2, spread over this block's runs and their input channels
    // (a burst of prefetches would stall on the memory system's queues). Beyond the layer's last
    // block: stay on this block's first line.
    const long lines = wblock * long(sizeof(float)) / 64, j = it % per_block;
    const long l0 = lines * j / per_block, l1 = std::min(lines * (j + 1) / per_block, l0 + K);
    const bool ahead = b + 1 < nb && l1 > l0;
    a.pf = reinterpret_cast<const char*>(ahead ? a.w + wblock : a.w) + (ahead ? l0 * 64 : 0);
    a.pf_step = ahead ? 64 : 0;
    pointwise_run<S>(a, len);
  }
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
