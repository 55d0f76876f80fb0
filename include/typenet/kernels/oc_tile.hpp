#pragma once
// The register tile of the convolutions vectorised over output channels (kernels/pointwise.hpp,
// kernels/stem.hpp): 32 output channels (two vectors of a packed block [k][32]) x T <= 14 output
// pixels. Per k (an input channel, or a tap of one), two weight loads and T broadcasts of input
// pixels feed 2T FMAs (28 accumulators for T = 14); the pixels are T floats S apart in the input,
// so neither padding nor row ends cost a lane. At the store the 32 x T tile is transposed in
// registers into NCHW rows, where bias, residual and activation apply as in every other kernel, or
// stored as it is: into nChw16c (kernels/layout.hpp), or pixel-major (oc_store).
#include <algorithm>

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/layout.hpp>

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace typenet::kernels {

// Output channels per block of the packed weights of an oc-tile layer.
constexpr int oc_block = 32;

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

struct oc_tile_args {
  const float* in;  // input of the tile's first pixel at k = 0
  long hw;          // input step from one k to the next (a channel plane), or
  const int* koff;  // with a table (Table = true): input offset of each k
  int K;            // k: input channels (1x1), or taps x input channels
  const float* w;   // packed block [K][32]
  const float* w2;  // with Sum != 0: a second block (see oc_tile)
  float* out;       // output of the tile's first pixel, the block's first channel
  const float* res; // like out, or null
  long ohw;         // output channel stride (also the residual's)
  const float* bias;  // at the block's first channel, or null
  activation act;
  // One line prefetched into L2 per input channel (the next block's weights), advancing by
  // pf_step bytes: 64, or 0 to stay on a line already in cache.
  const char* pf;
  long pf_step;
  long split;  // with Split != 0: pixels t >= Split are at S * t + split (the next output row's input)
  // A later tile's input, in_pf floats on (0: none): with a table (nChw16c), the next tile's;
  // without, the 14 floats of each input plane there (one or two lines per k).
  long in_pf = 0;
};

// T output pixels (input offsets S * t) x 32 output channels, summed over k < K into a0 (channels
// 0-15) and a1 (16-31), one vector per pixel. For the quadrant packing of kernels/strassen.hpp:
// with Sum = 1 or -1 the weights are w + Sum * w2, summed as they are loaded (the adds run on
// ports of their own on Zen 4, and keep the weights' sums out of memory); with Sum = 2, 2K input
// channels, the first K with weights w, the next K with w2. With Split = W, the tile is two output
// rows of W pixels (contiguous in the output): pixels t >= W read their input a.split further on.
template <int T, int S, bool Table, int Sum = 0, int Split = 0>
[[gnu::always_inline]] inline void oc_accumulate(const oc_tile_args& a, __m512 (&a0)[T], __m512 (&a1)[T]) {
  static_assert(!(Table && Sum == 2), "oc_tile: two stretches of weights need input channels a plane apart");
#pragma GCC unroll 16
  for (int t = 0; t < T; ++t) a0[t] = a1[t] = _mm512_setzero_ps();
  const float* w = a.w;
  const float* w2 = a.w2;
  const float* x = a.in;
  const char* pf = a.pf;
  for (int k = 0; k < (Sum == 2 ? 2 * a.K : a.K); ++k, w += oc_block, x += a.hw, pf += a.pf_step) {
    __builtin_prefetch(pf, 0, 2);
    if constexpr (Table) {
      x = a.in + a.koff[k];
      // the next tile's 14 lines of this k's block, one per k (k % 16 < 14: pixel k % 16, S floats
      // apart, less the k's own offset k % 16 in its pixel)
      if (a.in_pf) __builtin_prefetch(x + a.in_pf + (S - 1) * std::min(k & 15, 13), 0, 2);
    } else if (a.in_pf) {  // (past a plane's end: the next plane's lines, harmless)
      __builtin_prefetch(x + a.in_pf, 0, 2);
      __builtin_prefetch(x + a.in_pf + 13, 0, 2);
    }
    if constexpr (Sum == 2)
      if (k == a.K) w = w2;
    __m512 w0 = _mm512_loadu_ps(w), w1 = _mm512_loadu_ps(w + 16);
    if constexpr (Sum == 1) {
      w0 = _mm512_add_ps(w0, _mm512_loadu_ps(w2)), w1 = _mm512_add_ps(w1, _mm512_loadu_ps(w2 + 16));
      w2 += oc_block;
    } else if constexpr (Sum == -1) {
      w0 = _mm512_sub_ps(w0, _mm512_loadu_ps(w2)), w1 = _mm512_sub_ps(w1, _mm512_loadu_ps(w2 + 16));
      w2 += oc_block;
    }
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      const __m512 b = _mm512_set1_ps(x[S * t + (Split != 0 && t >= Split ? a.split : 0)]);
      a0[t] = _mm512_fmadd_ps(w0, b, a0[t]);
      a1[t] = _mm512_fmadd_ps(w1, b, a1[t]);
    }
  }
}

// Where a tile goes (its first pixel and first channel at a.out; the residual, if any, at a.res
// laid out the same):
//   nchw     rows of a channel, a.ohw apart: transposed in registers, 32 partial rows;
//   blocked  nChw16c (kernels/layout.hpp): pixel t's channels 0-15 at 16 t, 16-31 at 16 a.ohw +
//            16 t, as the registers hold them (28 whole lines for a tile of 14);
//   pixels   pixel t's 32 channels at 32 t, no residual: for a consumer that reduces the pixels
//            before they reach an activation layout (kernels/stem.hpp's max pool: no transpose
//            per tile, which weighs on a tile of few k; its fused stem + pool went 1.57 -> 1.35 ms).
enum class oc_store { nchw, blocked, pixels };

// Floats from one output pixel to the next in a store.
template <oc_store Store>
constexpr int oc_store_step = Store == oc_store::nchw ? 1 : Store == oc_store::blocked ? layout_block : oc_block;

// The tile: accumulated, then stored with bias, residual and activation.
template <int T, int S, bool Table, int Sum = 0, int Split = 0, oc_store Store = oc_store::nchw>
inline void oc_tile(const oc_tile_args& a) {
  if constexpr (Store == oc_store::nchw) {
    // The tile's output (and residual) lines, one or two per channel, are fetched while the
    // k loop runs: they are written (read) only at the end, 32 rows apart.
    for (int c = 0; c < oc_block; ++c) {
      __builtin_prefetch(a.out + c * a.ohw, 1, 3);
      __builtin_prefetch(a.out + c * a.ohw + (T - 1), 1, 3);
      if (a.res) __builtin_prefetch(a.res + c * a.ohw, 0, 3);
      if (a.res) __builtin_prefetch(a.res + c * a.ohw + (T - 1), 0, 3);
    }
  }
  if constexpr (Store == oc_store::blocked) {
    // Likewise its 2T whole lines (ResNeXt-50, one and two Zen 5 cores: the pass 0.2-0.3% faster,
    // in-process A/B, four runs).
    const long half = layout_block * a.ohw;
    for (int t = 0; t < T; ++t) {
      __builtin_prefetch(a.out + layout_block * t, 1, 3);
      __builtin_prefetch(a.out + half + layout_block * t, 1, 3);
      if (a.res) __builtin_prefetch(a.res + layout_block * t, 0, 3);
      if (a.res) __builtin_prefetch(a.res + half + layout_block * t, 0, 3);
    }
  }
  __m512 a0[T], a1[T];
  oc_accumulate<T, S, Table, Sum, Split>(a, a0, a1);
  if constexpr (Store != oc_store::nchw) {
    const __m512 b0 = a.bias ? _mm512_loadu_ps(a.bias) : _mm512_setzero_ps();
    const __m512 b1 = a.bias ? _mm512_loadu_ps(a.bias + 16) : _mm512_setzero_ps();
    // the second vector of a pixel: the next channel block (blocked), or the next 16 floats
    const long half = Store == oc_store::blocked ? layout_block * a.ohw : 16;
    const bool res = Store == oc_store::blocked && a.res;
#pragma GCC unroll 16
    for (int t = 0; t < T; ++t) {
      float* y = a.out + oc_store_step<Store> * t;
      __m512 y0 = _mm512_add_ps(a0[t], b0), y1 = _mm512_add_ps(a1[t], b1);
      if (res) {
        y0 = _mm512_add_ps(y0, _mm512_loadu_ps(a.res + oc_store_step<Store> * t));
        y1 = _mm512_add_ps(y1, _mm512_loadu_ps(a.res + oc_store_step<Store> * t + half));
      }
      _mm512_storeu_ps(y, activate_in_register(a.act, y0));
      _mm512_storeu_ps(y + half, activate_in_register(a.act, y1));
    }
    if (activated_after_store(a.act))
      for (int t = 0; t < T; ++t) {
        activate_stored(a.act, a.out + oc_store_step<Store> * t, 0xffff);
        activate_stored(a.act, a.out + oc_store_step<Store> * t + half, 0xffff);
      }
  } else {
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
      for (int c = 0; c < oc_block; ++c) activate_stored(a.act, a.out + c * a.ohw, m);
  }
}

// A run of n output pixels with input offsets S * t: tiles of 14, then 7, 4 and 1.
template <int S, bool Table = false, int Sum = 0, oc_store Store = oc_store::nchw>
inline void oc_run(oc_tile_args a, int n) {
  auto step = [&](int t) {
    a.in += S * t;
    a.out += oc_store_step<Store> * t;
    if (a.res) a.res += oc_store_step<Store> * t;
    a.pf_step = 0;  // the first tile prefetches
  };
  for (; n >= 14; n -= 14, step(14)) oc_tile<14, S, Table, Sum, 0, Store>(a);
  if (n >= 7) oc_tile<7, S, Table, Sum, 0, Store>(a), n -= 7, step(7);
  for (; n >= 4; n -= 4, step(4)) oc_tile<4, S, Table, Sum, 0, Store>(a);
  for (; n >= 1; n -= 1, step(1)) oc_tile<1, S, Table, Sum, 0, Store>(a);
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
