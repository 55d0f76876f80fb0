#pragma once
// Fast 2-D convolution, NCHW float32, weights repacked once at load time.
//
//   pack_conv_weights(geo, weight_oihw, packed)   once, at load time
//   conv2d(geo, in, packed, epilogue, out, batch, part)   every forward pass, once per part
//
// Packed layout (the same for every code path): output channels of each group are cut into
// blocks of R = conv_block(geo) channels (1, 2, 4 or 8, the last block zero-padded; 32 for the
// layers of kernels/pointwise.hpp, kernels/oc_conv.hpp and kernels/stem.hpp, which run the oc
// tile; builds without AVX-512 use blocks of kernels/portable.hpp's tile rows, 4, and 16 for its
// 1x1 tile across output channels on small images), and each block stores
// [ky][kx][ci][R] (ky < kh, kx < kw): for one tap and one input channel the R weights are
// contiguous.
//
// The AVX-512 path (compiled with -mavx512f -mfma, e.g. -march=native) computes a register tile
// of R output channels x V vectors of 16 output pixels (8 x 3 for R = 8: 24 accumulators),
// vectorised over pixels: one input vector load (masked at the borders, so padding costs nothing)
// feeds R FMAs, the weights are broadcast from the packed block. Pixel vectors are laid out by
// geometry:
//   - stride 1 with out_w == in_w ("same" convs, 1x1, 1x7, 7x1): vectors run across rows of the
//     flattened image; a 1x1 layer's last P % 16 pixels go to a small kernel vectorised over
//     output channels instead, so 7x7 and 14x14 images waste no lanes;
//   - stride 2 with out_w <= 8: one vector holds two output rows (two loads, one permute);
//   - otherwise: vectors within one output row; column stride 2 deinterleaves two loads with a
//     permute.
// Dense 1x1 layers with stride 2, or with channel planes that are not 64-byte multiples (14x14),
// first gather each chunk's input (deinterleaved) into a 24 KiB stack buffer that every weight
// block then reads from L1. The stem (7x7 over 3 channels) gets compile-time loops. Work is cut
// into (image, pixel chunk, weight block) items, ordered input-major or weight-major by which
// operand is larger; 3x3 layers with many input channels go in passes over them (partial sums
// kept in out). Kernels are kh x kw (1x7 and 7x1 take the same paths as the square ones); the
// vector layouts need a column stride of 1 or 2 and at most 7 taps per axis. Everything else
// (larger strides or kernels, builds without AVX-512) takes kernels/portable.hpp's tile over the
// same packed weights. Depthwise convs (3x3 and 5x5) have their own kernel: kernels/depthwise.hpp.
//
// No heap allocation, no scratch (at most ~80 KiB of stack; the portable 1x1, stem and dense
// staged paths', the staged depthwise 5x5's, oc_conv's, the stride-2 pointwise layers' and the
// fused stem and max pool's 256 KiB panel is thread_local: kernels/panel.hpp).
// conv2d(..., part p) computes only part p of the work; the parts of one call are disjoint and
// may run concurrently. `in` must not alias `out`; ep.residual may (the residual of an element is
// read before that element is written: the memory plan puts the output over it where it can).
#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include <typenet/kernels/depthwise.hpp>
#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_conv.hpp>
#include <typenet/kernels/pointwise.hpp>
#include <typenet/kernels/portable.hpp>
#include <typenet/kernels/stem.hpp>

#if defined(__AVX512F__) && defined(__FMA__)
#define TYPENET_CONV2D_AVX512 1
#include <immintrin.h>
#endif

namespace typenet::kernels {

// Output channels per packed weight block: 1, 2, 4 or 8; 32 for the layers of kernels/pointwise.hpp,
// kernels/oc_conv.hpp and kernels/stem.hpp; without AVX-512 1, 2 or 4, and 16 for small-image 1x1 layers.
constexpr int conv_block(const conv_geometry& g) {
  const int c = g.out_c_per_group();
#if defined(__AVX512F__) && defined(__FMA__)
  if (pointwise_fast(g) || stem_fast(g) || oc_conv_fast(g)) return oc_block;
  return c >= 5 ? 8 : c >= 3 ? 4 : c;
#else
  // kernels/portable.hpp's tile rows (4): each tile reads its weights as one contiguous stretch;
  // 1x1 layers on small images: its tile across output channels (16)
  static_assert(detail::portable_rows == 4);
  if (detail::portable_oc_fits(g)) return detail::portable_oc_rows;
  return c >= 3 ? 4 : c;
#endif
}
constexpr int conv_blocks_per_group(const conv_geometry& g) {
  return (g.out_c_per_group() + conv_block(g) - 1) / conv_block(g);
}
constexpr long packed_conv_weight_size(const conv_geometry& g) {
  return long(g.groups) * conv_blocks_per_group(g) * conv_block(g) * g.in_c_per_group() * g.taps();
}
// No kernel needs scratch space; kept so callers can plan buffers uniformly.
constexpr long conv_scratch_size(const conv_geometry&) { return 0; }

namespace detail {
// In blocks of R rows (tests pack for a kernel that the build's conv_block would not pick).
inline void pack_conv_weights(const conv_geometry& g, int R, const float* weight_oihw, float* packed) {
  const int nb = (g.out_c_per_group() + R - 1) / R;
  const int icg = g.in_c_per_group(), ocg = g.out_c_per_group(), KH = g.kernel_h, KW = g.kernel_w;
  long i = 0;
  for (int grp = 0; grp < g.groups; ++grp)
    for (int b = 0; b < nb; ++b)
      for (int ky = 0; ky < KH; ++ky)
        for (int kx = 0; kx < KW; ++kx)
          for (int ci = 0; ci < icg; ++ci)
            for (int r = 0; r < R; ++r, ++i) {
              const int oc = b * R + r;
              packed[i] = oc < ocg
                              ? weight_oihw[((long(grp * ocg + oc) * icg + ci) * KH + ky) * KW + kx]
                              : 0.0f;
            }
}
}  // namespace detail

// weight_oihw: [out_c][in_c/groups][kh][kw] (PyTorch order); packed: packed_conv_weight_size floats.
inline void pack_conv_weights(const conv_geometry& g, const float* weight_oihw, float* packed) {
  detail::pack_conv_weights(g, conv_block(g), weight_oihw, packed);
}

namespace detail {

#if defined(TYPENET_CONV2D_AVX512)

// How pixel vectors are laid over the output:
//   conv_flat: stride 1x1 and out_w == in_w: vector q is output pixels [16q, 16q + 16) of the
//              flattened image, running across rows (input offset = output offset + tap shift);
//              any kh x kw kernel whose width keeps the row width (kw = 2 pad_w + 1: 1x7, 7x1);
//   conv_rows: 16 pixels within one output row (column stride 1 or 2, any row stride);
//   conv_pairs: stride 2x2 with out_w <= 8: output rows 2q and 2q + 1 side by side in one vector,
//              built from two 16-float loads (one per input row) and one permute.
enum conv_mode { conv_flat, conv_rows, conv_pairs };

// One vector of 16 output pixels, as seen by every tap of the kernel.
struct conv_slot {
  long in_base;          // input offset (within one channel) of raw lane 0 at tap (0, 0)
  long out_off;          // output offset (within one channel) of lane 0
  std::uint32_t store;   // lanes that are real output pixels
  std::uint32_t row[7];  // per ky: lanes whose input row exists
  std::uint32_t col[7];  // per kx: lanes whose input column exists (column stride 2: 32 raw lanes)
};

constexpr int conv_max_kernel = 7;  // per axis

// V for an R-channel tile: about 24 accumulators.
template <int R, int S>
constexpr int conv_vectors() {
  return R == 8 ? 3 : R == 4 ? (S == 1 ? 6 : 5) : 8;
}

inline int conv_slot_count(const conv_geometry& g, conv_mode mode) {
  const long ohw = long(g.out_h) * g.out_w;
  switch (mode) {
    case conv_flat: return int(g.taps() == 1 ? ohw / 16 : (ohw + 15) / 16);  // 1x1: tail apart
    case conv_pairs: return (g.out_h + 1) / 2;
    default: return g.out_h * ((g.out_w + 15) / 16);
  }
}

// Build the slot table of vectors [first, first + count). Vectorised: a few compares per slot
// and tap.
inline void conv_build_slots(const conv_geometry& g, conv_mode mode, int first, int count,
                             conv_slot* sl) {
  const int KH = g.kernel_h, KW = g.kernel_w, SH = g.stride_h, SW = g.stride_w;
  const int PH = g.pad_h, PW = g.pad_w, W = g.in_w, H = g.in_h;
  const int OW = g.out_w;
  const long P = long(g.out_h) * OW;
  const int nxv = (OW + 15) / 16;
  const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i zero = _mm512_setzero_si512(), vW = _mm512_set1_epi32(W);
  const __m512i vH = _mm512_set1_epi32(H), vOW = _mm512_set1_epi32(OW);
  // lanes with 0 <= x < bound
  auto in_range = [&](__m512i x, __m512i bound) -> std::uint32_t {
    return _mm512_cmpge_epi32_mask(x, zero) & _mm512_cmplt_epi32_mask(x, bound);
  };
  auto lanes = [](int n) -> std::uint32_t { return n >= 32 ? ~0u : (1u << n) - 1; };
  for (int v = 0; v < count; ++v) {
    conv_slot& s = sl[v];
    const int q = first + v;
    if (mode == conv_flat) {
      const long p0 = long(q) * 16;
      s.in_base = p0 - long(PH) * W - PW;
      s.out_off = p0;
      s.store = lanes(int(std::min(16L, P - p0)));
      __m512i ox = _mm512_add_epi32(_mm512_set1_epi32(int(p0 % OW)), iota);
      __m512i oy = _mm512_set1_epi32(int(p0 / OW));
      for (__mmask16 wrap; (wrap = _mm512_cmpge_epi32_mask(ox, vOW)) != 0;) {
        ox = _mm512_mask_sub_epi32(ox, wrap, ox, vOW);
        oy = _mm512_mask_add_epi32(oy, wrap, oy, _mm512_set1_epi32(1));
      }
      for (int k = 0; k < KH; ++k)
        s.row[k] = in_range(_mm512_add_epi32(oy, _mm512_set1_epi32(k - PH)), vH) & s.store;
      for (int k = 0; k < KW; ++k)
        s.col[k] = in_range(_mm512_add_epi32(ox, _mm512_set1_epi32(k - PW)), vW) & s.store;
    } else if (mode == conv_pairs) {  // output rows 2q (lanes 0..OW-1) and 2q+1 (OW..2OW-1)
      const int oy = 2 * q;
      const bool second = oy + 1 < g.out_h;
      s.in_base = long(oy * 2 - PH) * W - PW;
      s.out_off = long(oy) * OW;
      s.store = lanes(OW * (second ? 2 : 1));
      for (int k = 0; k < KH; ++k) {
        const int iya = oy * 2 + k - PH, iyb = iya + 2;
        s.row[k] = ((iya >= 0 && iya < H) ? 0xffffu : 0u) |
                   ((second && iyb >= 0 && iyb < H) ? 0xffff0000u : 0u);
      }
      for (int k = 0; k < KW; ++k) {
        // raw lanes j < 2*OW - 1 of each row: input columns j + k - PW
        const std::uint32_t c =
            in_range(_mm512_add_epi32(_mm512_set1_epi32(k - PW), iota), vW) & lanes(2 * OW - 1);
        s.col[k] = c | c << 16;
      }
    } else {
      const int oy = q / nxv, ox0 = (q % nxv) * 16;
      s.in_base = long(oy * SH - PH) * W + long(ox0) * SW - PW;
      s.out_off = long(oy) * OW + ox0;
      const int nl = std::min(16, OW - ox0);
      s.store = lanes(nl);
      for (int k = 0; k < KH; ++k) {
        const int iy = oy * SH + k - PH;
        s.row[k] = (iy >= 0 && iy < H) ? 0xffffffffu : 0u;
      }
      for (int k = 0; k < KW; ++k) {
        if (SW == 1) {
          s.col[k] = in_range(_mm512_add_epi32(_mm512_set1_epi32(ox0 + k - PW), iota), vW) &
                     s.store;
        } else {  // 32 raw lanes: input columns 2*ox0 + j + k - PW, j < 2 * nl
          const __m512i x0 = _mm512_add_epi32(_mm512_set1_epi32(2 * ox0 + k - PW), iota);
          const std::uint32_t lo = in_range(x0, vW);
          const std::uint32_t hi = in_range(_mm512_add_epi32(x0, _mm512_set1_epi32(16)), vW);
          s.col[k] = (lo | hi << 16) & lanes(2 * nl);
        }
      }
    }
  }
}

struct conv_tile_args {
  const float* in;  // this image, first input channel of the group
  long hw;          // input channel stride
  int W, icg, ci0, ci1, KH, KW;
  int in_ci0;      // input channel at a.in + in_ci0 * hw that goes with weight channel ci0
  const float* w;  // packed block: [ky][kx][icg][R]
  const conv_slot* sl;
  int rows;    // real output channels in the block
  float* out;  // this image, first output channel of the block
  long ohw;
  const float* bias;  // at the block's first channel, or null
  const float* res;   // like out, or null
  activation act;
  bool first, last;
  long hoff;     // stride 2: offset of the second 16-float load
  __m512i perm;  // stride 2: lanes of the two loads that make the pixel vector
  // 1x1 tail: output pixel q reads input offset (q / px_w) * px_row + (q % px_w) * px_step
  int px_w = 1, px_step = 1;
  long px_row = 1;
};

// The register tile: R output channels (rows of the packed block) x V pixel vectors, over input
// channels [ci0, ci1) of the group. `first`: start from bias + residual, else from the partial
// sums already in out; `last`: apply the activation on the final store.
// KC, NC: a square kernel's size and the number of input channels as compile-time constants (0:
// run time), for small-channel layers where loop overhead would show (the stem, 4-8 channel groups).
template <int R, int V, int S, int KC = 0, int NC = 0>
inline void conv_tile(const conv_tile_args& a) {
  const conv_slot* sl = a.sl;
  const long hw = a.hw, ohw = a.ohw;
  const int KH = KC ? KC : a.KH, KW = KC ? KC : a.KW;
  __m512 acc[R][V];
  if (a.first) {  // the output lines are written at the end: fetch them for ownership meanwhile
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      if (r >= a.rows) break;
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) {
        __builtin_prefetch(a.out + r * ohw + sl[v].out_off, 1, 3);
        if (a.res && a.res != a.out) __builtin_prefetch(a.res + r * ohw + sl[v].out_off, 0, 3);
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m512 b = (a.bias && r < a.rows) ? _mm512_set1_ps(a.bias[r]) : _mm512_setzero_ps();
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v) acc[r][v] = b;
    }
    if (a.res && !a.last) {  // (partial sums go to out, which may be the residual: read it now)
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        if (r >= a.rows) break;
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v)
          acc[r][v] = _mm512_add_ps(
              acc[r][v],
              _mm512_maskz_loadu_ps(__mmask16(sl[v].store), a.res + r * ohw + sl[v].out_off));
      }
    }
  } else {
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < V; ++v)
        acc[r][v] = r < a.rows ? _mm512_maskz_loadu_ps(__mmask16(sl[v].store),
                                                       a.out + r * ohw + sl[v].out_off)
                               : _mm512_setzero_ps();
  }
  const int nc = NC ? NC : a.ci1 - a.ci0;
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx) {
      const float* wt = a.w + (long(ky * KW + kx) * a.icg + a.ci0) * R;
      const float* ip = a.in + long(ky) * a.W + kx + a.in_ci0 * hw;
      if constexpr (S == 1) {
        __mmask16 m[V];
        const float* base[V];
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v) {
          m[v] = __mmask16(sl[v].row[ky] & sl[v].col[kx]);
          base[v] = ip + sl[v].in_base;
        }
        for (int ci = 0; ci < nc; ++ci) {
          __m512 x[V];
#pragma GCC unroll 8
          for (int v = 0; v < V; ++v) x[v] = _mm512_maskz_loadu_ps(m[v], base[v] + ci * hw);
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) {
            const __m512 b = _mm512_set1_ps(wt[ci * R + r]);
#pragma GCC unroll 8
            for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(b, x[v], acc[r][v]);
          }
        }
      } else {
        __mmask16 lo[V], hi[V];
        const float* base[V];
#pragma GCC unroll 8
        for (int v = 0; v < V; ++v) {
          const std::uint32_t m = sl[v].row[ky] & sl[v].col[kx];
          lo[v] = __mmask16(m);
          hi[v] = __mmask16(m >> 16);
          base[v] = ip + sl[v].in_base;
        }
        const long hoff = a.hoff;
        const __m512i perm = a.perm;
        for (int ci = 0; ci < nc; ++ci) {
          __m512 x[V];
#pragma GCC unroll 8
          for (int v = 0; v < V; ++v)
            x[v] = _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(lo[v], base[v] + ci * hw), perm,
                                          _mm512_maskz_loadu_ps(hi[v], base[v] + ci * hw + hoff));
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) {
            const __m512 b = _mm512_set1_ps(wt[ci * R + r]);
#pragma GCC unroll 8
            for (int v = 0; v < V; ++v) acc[r][v] = _mm512_fmadd_ps(b, x[v], acc[r][v]);
          }
        }
      }
    }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
    if (r >= a.rows) break;
#pragma GCC unroll 8
    for (int v = 0; v < V; ++v) {
      __m512 y = acc[r][v];
      if (a.res && a.first && a.last)  // one pass: the residual at the store, its lines fetched at the start
        y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(__mmask16(sl[v].store), a.res + r * ohw + sl[v].out_off));
      if (a.last) y = activate_in_register(a.act, y);  // NaN survives, as in PyTorch
      _mm512_mask_storeu_ps(a.out + r * ohw + sl[v].out_off, __mmask16(sl[v].store), y);
    }
  }
  if (a.last && activated_after_store(a.act))
    for (int r = 0; r < a.rows && r < R; ++r)
      for (int v = 0; v < V; ++v) activate_stored(a.act, a.out + r * ohw + sl[v].out_off, __mmask16(sl[v].store));
}

template <int R, int S, int V, int KC = 0, int NC = 0>
inline void conv_tile_n(int nv, const conv_tile_args& a) {
  if constexpr (V > 0) {
    if (nv == V)
      conv_tile<R, V, S, KC, NC>(a);
    else
      conv_tile_n<R, S, V - 1, KC, NC>(nv, a);
  }
}

// One tile shape for every chunk length: a short chunk is padded with empty slots (masked loads
// and stores touch nothing). It wastes at most one chunk's worth of FMAs per image and block,
// and saves a tile instantiation per chunk length: compile time in every TU.
template <int R, int S, int V, int KC = 0, int NC = 0>
inline void conv_tile_padded(int nv, const conv_tile_args& a) {
  if (nv == V) return conv_tile<R, V, S, KC, NC>(a);
  conv_slot padded[V] = {};
  for (int v = 0; v < nv; ++v) padded[v] = a.sl[v];
  conv_tile_args b = a;
  b.sl = padded;
  conv_tile<R, V, S, KC, NC>(b);
}

// The stem (7x7/2 over 3 channels, 8-channel blocks) gets compile-time loops (no per-tap loop
// overhead). Narrow blocks (grouped convs, 4 channels per group) and stride 2 (a few layers) get
// one padded tile shape; stride-1 dense 8-channel blocks, most of the work, a tile per chunk
// length.
template <int R, int S, int V>
inline void conv_tile_dispatch(int nv, const conv_tile_args& a) {
  if constexpr (R == 8 && S == 2)
    if (a.KH == 7 && a.KW == 7 && a.ci1 - a.ci0 == 3) return conv_tile_padded<R, S, V, 7, 3>(nv, a);
  if constexpr (R == 8 && S == 2 && V > 2)
    if (nv == 2) return conv_tile<R, 2, S>(a);  // a 7x7 output's chunks (see vc)
  if constexpr (R <= 4 || S == 2)
    conv_tile_padded<R, S, V>(nv, a);
  else
    conv_tile_n<R, S, V>(nv, a);
}

// 1x1 stride-1 tail: the last P % 16 pixels of each channel, vectorised over output channels
// instead (one 8-lane vector per pixel and weight block), so that a 7x7 image does not spend a
// whole 16-lane vector on its 49th pixel. One call covers NB consecutive blocks of one group
// (each broadcast pixel feeds NB FMAs) and up to 4 pixels from p0; all input channels.
template <int R, int NB, int T>
inline void conv_tail_1x1(const conv_tile_args& a, long p0, long wblock, int rows_total) {
  [[maybe_unused]] const unsigned wm = (1u << R) - 1;
  auto load_w = [&](const float* w) -> __m256 {
    if constexpr (R == 8) {
      return _mm256_loadu_ps(w);
    } else {
#if defined(__AVX512VL__)
      return _mm256_maskz_loadu_ps(__mmask8(wm), w);
#else
      alignas(32) float wv[8] = {};
      for (int r = 0; r < R; ++r) wv[r] = w[r];
      return _mm256_load_ps(wv);
#endif
    }
  };
  __m256 acc[NB][T];
#pragma GCC unroll 4
  for (int b = 0; b < NB; ++b)
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) acc[b][t] = _mm256_setzero_ps();
  long off[T];
  for (int t = 0; t < T; ++t) off[t] = (p0 + t) / a.px_w * a.px_row + (p0 + t) % a.px_w * a.px_step;
  const float* x = a.in;
  for (int ci = 0; ci < a.icg; ++ci) {
    __m256 w[NB];
#pragma GCC unroll 4
    for (int b = 0; b < NB; ++b) w[b] = load_w(a.w + b * wblock + ci * R);
#pragma GCC unroll 4
    for (int t = 0; t < T; ++t) {
      const __m256 xv = _mm256_set1_ps(x[ci * a.hw + off[t]]);
#pragma GCC unroll 4
      for (int b = 0; b < NB; ++b) acc[b][t] = _mm256_fmadd_ps(w[b], xv, acc[b][t]);
    }
  }
  for (int b = 0; b < NB; ++b)
    for (int t = 0; t < T; ++t) {
      alignas(32) float y[8];
      _mm256_store_ps(y, acc[b][t]);
      for (int r = 0; r < R && b * R + r < rows_total; ++r) {
        const long o = (b * R + r) * a.ohw + p0 + t;
        a.out[o] = activate(a.act, y[r] + (a.bias ? a.bias[b * R + r] : 0.0f) + (a.res ? a.res[o] : 0.0f));
      }
    }
}

template <int R, int NB>
inline void conv_tail_1x1_px(const conv_tile_args& a, long p0, long p1, long wblock, int rows) {
  for (; p0 + 4 <= p1; p0 += 4) conv_tail_1x1<R, NB, 4>(a, p0, wblock, rows);
  switch (p1 - p0) {
    case 3: return conv_tail_1x1<R, NB, 3>(a, p0, wblock, rows);
    case 2: return conv_tail_1x1<R, NB, 2>(a, p0, wblock, rows);
    case 1: return conv_tail_1x1<R, NB, 1>(a, p0, wblock, rows);
    default: return;
  }
}

// conv_tail_1x1_px over nbk (1 to 4) weight blocks.
template <int R>
inline void conv_tail_1x1_blocks(int nbk, const conv_tile_args& a, long t0, long ohw, long wblock, int rows) {
  // Four 8-channel blocks at a time for dense layers with a multiple of 32 output channels;
  // otherwise one block at a time (fewer instantiations: compile time in every TU).
  if constexpr (R == 8)
    if (nbk == 4) return conv_tail_1x1_px<R, 4>(a, t0, ohw, wblock, rows);
  for (int b = 0; b < nbk && b * R < rows; ++b) {
    conv_tile_args one = a;
    one.w = a.w + b * wblock;
    one.out = a.out + b * R * a.ohw;
    one.bias = a.bias ? a.bias + b * R : nullptr;
    one.res = a.res ? a.res + b * R * a.ohw : nullptr;
    conv_tail_1x1_px<R, 1>(one, t0, ohw, wblock, std::min(R, rows - b * R));
  }
}

// Input channels per pass so that one pass's input footprint of a chunk stays in L1/L2 (3x3
// and larger; 1x1 runs all input channels in one pass).
inline int conv_pass_channels(const conv_geometry& g, conv_mode mode, int V) {
  const int icg = g.in_c_per_group();
  if (g.taps() == 1) return icg;
  const long floats_per_ci =
      mode == conv_flat ? 16L * V + long(g.kernel_h - 1) * g.in_w + (g.kernel_w - 1)
                        : long(g.kernel_h) * (16L * V * g.stride_w + g.kernel_w);
  const int kc = int(std::max(8L, 24576L / floats_per_ci));
  if (kc >= icg) return icg;
  const int passes = (icg + kc - 1) / kc;
  return (icg + passes - 1) / passes;
}

// Work items: (image, chunk, group x block), where a chunk is V pixel vectors (plus, for 1x1
// convs whose pixel count is not a multiple of 16, one tail chunk). Chunks are taken in
// super-chunks of CS: items go (image, super-chunk, group x block, chunk), and each part owns a
// contiguous range of them. CS = 1 (input-major: one chunk's input is read by every weight block
// in turn while the next chunk's input is prefetched) for dense layers whose input outweighs
// their weights; CS = 8 (weight-major: a block's weights are reused over 8 chunks) for grouped
// layers and weight-heavy ones. Within a run of one super-chunk the input channels may go in
// passes (partial sums kept in out) so that a pass's input stays in cache.
template <int R, int S>
inline void conv2d_avx512(const conv_geometry& g, conv_mode mode, const float* in,
                          const float* wp, const epilogue& ep, float* out, int batch, part p) {
  constexpr int V = conv_vectors<R, S>();
  const int nb = conv_blocks_per_group(g), icg = g.in_c_per_group(), ocg = g.out_c_per_group();
  const bool one = g.taps() == 1;  // 1x1
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  const int nslots = conv_slot_count(g, mode);
  const bool tail = mode == conv_flat && one && ohw % 16 != 0;
  const int nmain = (nslots + V - 1) / V, nchunks = nmain + (tail ? 1 : 0);
  // Stride 2: chunks of vc <= V vectors, as even as V allows (the stride-2 tiles pad a short chunk
  // to V: a 7x7 output's 4 row-pair vectors went 3 + 1 padded to 3 + 3, now 2 + 2). Stride 1 has
  // a tile per chunk length, and there 3 + 1 measured faster than 2 + 2.
  const int vc = S == 2 && nmain > 0 ? (nslots + nmain - 1) / nmain : V;
  const int ngb = g.groups * nb;
  constexpr int cache = 8;
  // (stride-2 1x1 layers read twice the input bytes per FMA: always input-major)
  const int CS = mode == conv_rows && S == 2 && one ? 1
                 : (g.groups > 1 || g.weight_size() > g.in_size()) ? cache
                                                                    : 1;
  const long per_image = long(nchunks) * ngb, per_super = long(CS) * ngb;
  const long items = batch * per_image;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  const long wblock = long(g.taps()) * icg * R;
  const int kc = conv_pass_channels(g, mode, V * std::min(CS, nchunks));
  conv_slot sl[cache][V];
  int have[cache];
  for (int c = 0; c < cache; ++c) have[c] = -1;
  conv_tile_args a{};
  a.hw = hw;
  a.W = g.in_w;
  a.icg = icg;
  a.KH = g.kernel_h;
  a.KW = g.kernel_w;
  a.ohw = ohw;
  a.px_w = a.px_row = g.out_w;  // flat: input offset = output offset
  a.act = ep.act;
  if (mode == conv_pairs) {  // lanes l < OW: raw 2l of row A; OW <= l < 2 OW: raw 2(l-OW) of B
    alignas(64) int idx[16];
    for (int l = 0; l < 16; ++l)
      idx[l] = l < g.out_w ? 2 * l : l < 2 * g.out_w ? 16 + 2 * (l - g.out_w) : 0;
    a.perm = _mm512_load_si512(idx);
    a.hoff = 2L * g.in_w;
  } else {
    a.perm = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
    a.hoff = 16;
  }
  for (long it = i0; it < i1;) {
    const long run_start = it / per_image * per_image + (it % per_image) / per_super * per_super;
    const long run_end = std::min({i1, run_start + per_super, (it / per_image + 1) * per_image});
    for (int ci0 = 0; ci0 < icg; ci0 += kc) {
      const int ci1 = std::min(icg, ci0 + kc);
      for (long j = it; j < run_end; ++j) {
        const int n = int(j / per_image);
        const long rem = j % per_image;
        const int super = int(rem / per_super);
        const int local = int(rem - super * per_super);
        const int cs = std::min(CS, nchunks - super * CS);
        const int gb = local / cs, chunk = super * CS + local % cs;
        const int grp = gb / nb, blk = gb % nb;
        const int co0 = grp * ocg + blk * R;
        const long ooff = n * g.out_size() + co0 * ohw;
        a.in = in + n * g.in_image() + long(grp) * icg * hw;
        a.w = wp + gb * wblock;
        a.rows = std::min(R, ocg - blk * R);
        a.out = out + n * g.out_image() + co0 * ohw;
        a.bias = ep.bias ? ep.bias + co0 : nullptr;
        a.res = ep.residual ? ep.residual + ooff : nullptr;
        if (chunk == nmain) {
          // 1x1 tail pixels, 4 weight blocks of the group at a time (single pass: kc == icg)
          if (blk % 4 != 0) continue;
          const int nbk = std::min(4, nb - blk), rows = std::min(nbk * R, ocg - blk * R);
          const long t0 = long(nslots) * 16;
          conv_tail_1x1_blocks<R>(nbk, a, t0, ohw, wblock, rows);
          continue;
        }
        const int first = chunk * vc, nv = std::min(vc, nslots - first);
        conv_slot* s = sl[chunk % cache];
        if (have[chunk % cache] != chunk) {
          conv_build_slots(g, mode, first, nv, s);
          have[chunk % cache] = chunk;
        }
        a.sl = s;
        a.ci0 = a.in_ci0 = ci0;
        a.ci1 = ci1;
        a.first = ci0 == 0;
        a.last = ci1 == icg;
        if (CS == 1 && mode == conv_flat && chunk + 1 < nmain) {
          // prefetch this block's share of the next chunk's input channels
          const int c0 = int(long(icg) * gb / ngb), c1 = int(long(icg) * (gb + 1) / ngb);
          const float* nx = a.in + (first + vc) * 16L;
          for (int c = c0; c < c1; ++c)
            for (int l = 0; l < vc * 16; l += 16) __builtin_prefetch(nx + c * hw + l, 0, 3);
        }
        conv_tile_dispatch<R, S, V>(nv, a);
      }
    }
    it = run_end;
  }
}

// Dense 1x1 layers: per chunk of V pixel vectors and pass of up to 128 input channels, the
// chunk's input is first gathered into a contiguous stack buffer, which then stays in L1 while
// every weight block of the part runs the stride-1 tile over it. Pixel vectors run over the
// flattened output (flat layout) for every stride: with stride 2 the gather subsamples the input
// (one vector gather per channel and vector, paid once per chunk, not per weight block), so no
// lane is wasted on row ends and no permute runs in the tile. The last P % 16 pixels go to the
// tail kernel, which reads the strided input directly.
// Work: (image, chunk, block) items, input-major. With few chunks per part (batch 1 on 14x14 or
// 7x7: 2 to 5 chunks of unequal size, one of them the cheap tail) whole chunks do not divide
// evenly among the parts, so each part takes its share of the weight blocks of every chunk
// instead (it gathers every chunk, which is cheap beside the tiles).
template <int R, int S>
inline void conv1x1_packed(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                           int batch, part p) {
  constexpr int V = conv_vectors<R, 1>();
  constexpr int kcmax = 128;
  alignas(64) float buf[kcmax * 16 * V];
  const int nb = conv_blocks_per_group(g), icg = g.in_c, ocg = g.out_c;
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  const int nslots = int(ohw / 16);
  const bool tail = ohw % 16 != 0;
  const int nmain = (nslots + V - 1) / V, nchunks = nmain + (tail ? 1 : 0);
  const long wblock = long(icg) * R;
  const int passes = (icg + kcmax - 1) / kcmax, kc = (icg + passes - 1) / passes;
  const long rows = long(batch) * nchunks;  // (image, chunk) pairs
  // Fewer than two chunks per part: split the blocks instead (every part gathers every chunk). At
  // 8 chunks per part this also split ResNeXt-50's 28x28 stride-2 projection (17 chunks) on 2
  // threads x 4 parts, and each part gathered the whole input: 1.38 ms on one thread, 1.45 on two.
  const bool split_blocks = p.count > 1 && rows < 2L * p.count;
  conv_slot psl[V];
  __m512i idx[V];  // stride 2: input offset of each lane (within a channel)
  conv_tile_args a{};
  a.W = 0;
  a.icg = icg;
  a.KH = a.KW = 1;
  a.in_ci0 = 0;
  a.ohw = ohw;
  a.act = ep.act;
  a.sl = psl;
  a.px_w = g.out_w;
  a.px_row = long(g.stride_h) * g.in_w;
  a.px_step = g.stride_w;
  // Blocks [b0, b1) of chunk `chunk` of image n.
  auto run = [&](int n, int chunk, int b0, int b1) {
    const float* x = in + n * g.in_image();
    if (chunk == nmain) {  // tail pixels, 4 weight blocks at a time, all input channels
      a.in = x;
      a.hw = hw;
      for (int blk = b0; blk < b1; ++blk) {
        if (blk % 4 != 0) continue;
        const int co0 = blk * R, nbk = std::min(4, nb - blk), rows_left = std::min(nbk * R, ocg - co0);
        a.w = wp + blk * wblock;
        a.out = out + n * g.out_image() + co0 * ohw;
        a.bias = ep.bias ? ep.bias + co0 : nullptr;
        a.res = ep.residual ? ep.residual + n * g.out_size() + co0 * ohw : nullptr;
        conv_tail_1x1_blocks<R>(nbk, a, long(nslots) * 16, ohw, wblock, rows_left);
      }
      return;
    }
    const int first = chunk * V, nv = std::min(V, nslots - first);
    for (int v = 0; v < nv; ++v) {
      const long p0 = 16L * (first + v);
      psl[v] = conv_slot{};
      psl[v].in_base = 16L * v;
      psl[v].out_off = p0;
      psl[v].store = psl[v].row[0] = psl[v].col[0] = 0xffffu;
      if constexpr (S != 1) {
        alignas(64) int o[16];
        for (int l = 0; l < 16; ++l) o[l] = int((p0 + l) / a.px_w * a.px_row + (p0 + l) % a.px_w * a.px_step);
        idx[v] = _mm512_load_si512(o);
      }
    }
    const bool prefetch_next = S == 1 && chunk + 1 < nmain;
    // Stride 2: the lines the next chunk's gathers will read (per output row segment), fetched
    // into L2 while this chunk's tiles run (the input planes are too far apart for the hardware
    // prefetcher).
    constexpr int max_lines = 24;
    long lines[max_lines];
    int nlines = 0;
    if (S != 1 && chunk + 1 < nmain) {
      const long q1 = std::min(16L * nslots, 16L * (first + 2 * V));
      for (long q = 16L * (first + V); q < q1;) {
        const long row_end = std::min(q1, (q / g.out_w + 1) * g.out_w);
        const long o0 = q / a.px_w * a.px_row + q % a.px_w * a.px_step;
        const long o1 = o0 + (row_end - 1 - q) * a.px_step;
        for (long o = o0; o < o1 + 16 && nlines < max_lines; o += 16) lines[nlines++] = o;
        q = row_end;
      }
    }
    a.hw = 16 * V;
    for (int ci0 = 0; ci0 < icg; ci0 += kc) {
      const int ci1 = std::min(icg, ci0 + kc);
      for (int ci = ci0; ci < ci1; ++ci) {  // gather the chunk's input for this pass
        float* b = buf + (ci - ci0) * 16L * V;
        const float* xc = x + ci * hw;
        for (int v = 0; v < nv; ++v) {
          __m512 xv;
          if constexpr (S == 1) {
            xv = _mm512_loadu_ps(xc + psl[v].out_off);
            if (prefetch_next) __builtin_prefetch(xc + psl[v].out_off + 16L * V, 0, 3);
          } else {
            // (the masked form: the plain one starts from _mm512_undefined_ps, which GCC 12 warns about)
            xv = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), __mmask16(0xFFFF), idx[v], xc, 4);
          }
          _mm512_store_ps(b + 16 * v, xv);
        }
        for (int l = 0; l < nlines; ++l) __builtin_prefetch(xc + lines[l], 0, 2);
      }
      a.in = buf;
      a.ci0 = ci0;
      a.ci1 = ci1;
      a.first = ci0 == 0;
      a.last = ci1 == icg;
      for (int blk = b0; blk < b1; ++blk) {
        const int co0 = blk * R;
        const long ooff = n * g.out_size() + co0 * ohw;
        a.w = wp + blk * wblock;
        a.rows = std::min(R, ocg - co0);
        a.out = out + n * g.out_image() + co0 * ohw;
        a.bias = ep.bias ? ep.bias + co0 : nullptr;
        a.res = ep.residual ? ep.residual + ooff : nullptr;
        conv_tile_n<R, 1, V>(nv, a);
      }
    }
  };
  if (split_blocks) {  // blocks in quads (the tail runs 4 blocks at a time)
    const int quads = (nb + 3) / 4;
    const int b0 = std::min(nb, 4 * p.begin(quads)), b1 = std::min(nb, 4 * p.end(quads));
    if (b0 < b1)
      for (long r = 0; r < rows; ++r) run(int(r / nchunks), int(r % nchunks), b0, b1);
    return;
  }
  const long items = rows * nb;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  for (long it = i0; it < i1;) {
    const long run_end = std::min(i1, (it / nb + 1) * nb);
    run(int(it / nb / nchunks), int(it / nb % nchunks), int(it % nb), int(run_end - it / nb * nb));
    it = run_end;
  }
}

// Where gathering the input pays (measured): stride-2 1x1 layers (no permutes per weight block,
// half the bytes), and stride-1 ones whose channel planes are not 64-byte multiples (14x14:
// every input vector load would straddle two cache lines) when there are several chunks.
inline bool conv1x1_packed_pays(const conv_geometry& g) {
  if (g.taps() != 1 || g.groups != 1 || conv_block(g) != 8 || g.pad_h != 0 || g.pad_w != 0) return false;
  if (g.stride_h != g.stride_w) return false;
  if (g.stride_h == 2) return true;
  const long hw = long(g.in_h) * g.in_w;
  return g.stride_h == 1 && g.out_w == g.in_w && hw % 16 != 0 && hw >= 2 * 16 * conv_vectors<8, 1>();
}

template <int S>
inline void conv2d_avx512_r(const conv_geometry& g, conv_mode mode, const float* in,
                            const float* wp, const epilogue& ep, float* out, int batch, part p) {
  if (conv1x1_packed_pays(g))
    return conv1x1_packed<8, S>(g, in, wp, ep, out, batch, p);
  if (conv_block(g) == 8) return conv2d_avx512<8, S>(g, mode, in, wp, ep, out, batch, p);
  conv2d_avx512<4, S>(g, mode, in, wp, ep, out, batch, p);
}

#endif  // TYPENET_CONV2D_AVX512

}  // namespace detail

// Computes part p of the convolution of `batch` images (see the header comment).
inline void conv2d(const conv_geometry& g, const float* in, const float* packed_weight, const epilogue& ep,
            float* out, int batch, part p = {}) {
  if ((g.in_layout != layout::nchw || g.out_layout != layout::nchw) && !pointwise_takes_layout(g))
    throw std::logic_error("conv2d: a blocked layout needs a layer pointwise_takes_layout takes");
  if (depthwise_fast(g)) return depthwise_conv2d(g, in, packed_weight, ep, out, batch, p);
#if defined(TYPENET_CONV2D_AVX512)
  if (pointwise_fast(g))
    return g.stride_w == 1 ? detail::pointwise_avx512<1>(g, in, packed_weight, ep, out, batch, p)
                           : detail::pointwise_avx512<2>(g, in, packed_weight, ep, out, batch, p);
  if (stem_fast(g)) return detail::stem_avx512(g, in, packed_weight, ep, out, batch, p);
  if (oc_conv_fast(g))
    return g.stride_w == 1 ? detail::oc_conv_avx512<1>(g, in, packed_weight, ep, out, batch, p)
                           : detail::oc_conv_avx512<2>(g, in, packed_weight, ep, out, batch, p);
  // Other blocks of 1-2 output channels (groups that narrow) take the portable tile: an AVX-512
  // tile per output channel does not pay its compile time, which every TU pays.
  // Vectors run along rows, so the template stride is the column stride; the row stride is read
  // at run time (rows layout), except by the flat (1x1) and pair (2x2) layouts.
  if (g.kernel_h <= detail::conv_max_kernel && g.kernel_w <= detail::conv_max_kernel && conv_block(g) >= 4) {
    if (g.stride_w == 1)
      return detail::conv2d_avx512_r<1>(
          g, g.stride_h == 1 && g.out_w == g.in_w ? detail::conv_flat : detail::conv_rows, in,
          packed_weight, ep, out, batch, p);
    if (g.stride_w == 2)
      return detail::conv2d_avx512_r<2>(
          g, g.stride_h == 2 && g.out_w <= 8 ? detail::conv_pairs : detail::conv_rows, in,
          packed_weight, ep, out, batch, p);
  }
#endif
  detail::conv2d_portable(g, conv_block(g), in, packed_weight, ep, out, batch, p);
}

}  // namespace typenet::kernels
