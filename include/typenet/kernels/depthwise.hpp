#pragma once
// Depthwise 2-D convolution (groups == in_c == out_c), the MobileNets', MNASNet's, EfficientNet's
// and ShuffleNet's: K x K kernels, K = 3 or 5, stride 1 or 2 on both axes, padding K / 2. One
// output channel per input channel, so there is no channel reuse to tile for: the kernel is
// about loads, and it keeps them few.
//
//   depthwise_fast(geo)                                      this kernel takes the geometry
//   depthwise_conv2d(geo, in, packed, epilogue, out, batch, part)
//
// `packed` is pack_conv_weights' layout, which for one channel per group is PyTorch's [c][ky][kx].
// Per (image, channel) plane the K x K taps sit in registers; the plane is swept in blocks of T
// output rows by 16 output columns: every input vector (masked at the left and right borders,
// so padding costs nothing; rows outside the image are skipped) is loaded once per block and
// feeds every output row of the block it reaches, up to K FMAs per load. Stride 2 loads 32 input
// columns and deinterleaves them with one permute per tap column pair (the even lanes serve tap
// 2j, the odd ones tap 2j + 1). The epilogue (bias, residual, activation) is applied on store.
// Builds without AVX-512 run the same sweep on kernels/simd.hpp's vectors (depthwise_plane_vec).
// Parts split the (image, channel) planes, so two threads at batch 1 both work. No heap, no
// scratch; `in` must not alias `out`, ep.residual may.
#include <algorithm>
#include <cstdint>

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/simd.hpp>

namespace typenet::kernels {

constexpr bool depthwise_fast(const conv_geometry& g) {
  const int k = g.kernel_h;
  return g.groups == g.in_c && g.out_c == g.in_c && (k == 3 || k == 5) && g.kernel_w == k &&
         (g.stride_h == 1 || g.stride_h == 2) && g.stride_w == g.stride_h && g.pad_h == k / 2 && g.pad_w == k / 2;
}

namespace detail {

// The same sweep on the build's vectors (kernels/simd.hpp), for builds without AVX-512: lanes
// outside the row read as 0 (loadv_range), stride 2 deinterleaves two loads (every_second); 5x5's
// 25 taps outgrow AVX2's 16 registers and are read from L1 by the FMAs. (The staged tile of
// kernels/portable.hpp, one output channel a tile, ran these layers at 3-8 GFLOP/s on Zen 3.)
template <int K, int S, int T>
inline void depthwise_plane_vec(const conv_geometry& g, const float* x, const float* w, float bias, const float* res,
                                float* y, activation act) {
  constexpr int L = vlanes, P = K / 2, rows_in = (T - 1) * S + K;
  const int H = g.in_h, W = g.in_w, OH = g.out_h, OW = g.out_w;
  vecf tap[K * K];
  for (int t = 0; t < K * K; ++t) tap[t] = splat(w[t]);
  // lanes of a vector whose lane 0 reads input column c0 that lie in [0, W)
  const auto load = [W](const float* p, int c0) {
    return c0 >= 0 && c0 + vlanes <= W ? loadv(p) : loadv_range(p, std::clamp(-c0, 0, vlanes), std::clamp(W - c0, 0, vlanes));
  };
  for (int oy0 = 0; oy0 < OH; oy0 += T) {
    const int nt = std::min(T, OH - oy0);
    for (int ox0 = 0; ox0 < OW; ox0 += L) {
      const int n = std::min(L, OW - ox0);
      vecf acc[T];
      for (int t = 0; t < T; ++t) {
        acc[t] = splat(bias);
        if (res && t < nt) {
          const float* r = res + long(oy0 + t) * OW + ox0;
          acc[t] += n == L ? loadv(r) : loadv_n(r, n);
        }
      }
#pragma GCC unroll 32
      for (int r = 0; r < rows_in; ++r) {
        const int iy = oy0 * S - P + r;
        if (iy < 0 || iy >= H) continue;
        const float* row = x + long(iy) * W + long(ox0) * S - P;
        // acc[t] += tap[ky][kx] * v for every output row t of the block that input row r reaches
        auto feed = [&](int kx, vecf v) {
#pragma GCC unroll 8
          for (int t = 0; t < T; ++t) {
            const int ky = r - t * S;
            if (ky >= 0 && ky < K) acc[t] += tap[ky * K + kx] * v;
          }
        };
        if constexpr (S == 1) {
#pragma GCC unroll 5
          for (int kx = 0; kx < K; ++kx) feed(kx, load(row + kx, ox0 + kx - P));
        } else {
#pragma GCC unroll 3
          for (int kx = 0; kx < K; kx += 2) {
            const int c0 = 2 * ox0 + kx - P;
            const vecf lo = load(row + kx, c0), hi = load(row + kx + L, c0 + L);
            feed(kx, every_second<0>(lo, hi));
            if (kx + 1 < K) feed(kx + 1, every_second<1>(lo, hi));
          }
        }
      }
      for (int t = 0; t < nt; ++t) {
        float* o = y + long(oy0 + t) * OW + ox0;
        const vecf v = activate_lanes(act, acc[t]);
        if (n == L)
          storev(o, v);
        else
          storev_n(o, v, n);
      }
    }
  }
}

#if defined(__AVX512F__) && defined(__FMA__)

// Lanes [0, n) of a 32-bit mask, n clamped to [0, 32].
constexpr std::uint32_t dw_lanes(int n) { return n <= 0 ? 0u : n >= 32 ? ~0u : (1u << n) - 1; }
// Lanes l < width of a load whose lane 0 reads input column c0: those with 0 <= c0 + l < W.
constexpr std::uint32_t dw_columns(int c0, int width, int W) {
  return dw_lanes(std::min(width, W - c0)) & ~dw_lanes(-c0);
}

// One (image, channel) plane. T output rows per block: enough independent accumulators to hide
// the FMA latency, few enough registers to keep the K x K taps.
template <int K, int S, int T>
inline void depthwise_plane(const conv_geometry& g, const float* x, const float* w, float bias, const float* res,
                            float* y, activation act) {
  constexpr int P = K / 2, rows_in = (T - 1) * S + K;
  const int H = g.in_h, W = g.in_w, OH = g.out_h, OW = g.out_w;
  __m512 tap[K * K];
#pragma GCC unroll 25
  for (int t = 0; t < K * K; ++t) tap[t] = _mm512_set1_ps(w[t]);
  [[maybe_unused]] const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  [[maybe_unused]] const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  for (int oy0 = 0; oy0 < OH; oy0 += T) {
    const int nt = std::min(T, OH - oy0);
    for (int ox0 = 0; ox0 < OW; ox0 += 16) {
      const __mmask16 store = __mmask16(dw_lanes(OW - ox0));
      // Column masks: stride 1, per tap column kx; stride 2, per pair of tap columns (32 lanes).
      std::uint32_t cols[K];
#pragma GCC unroll 5
      for (int k = 0; k < K; ++k)
        cols[k] = S == 1 ? dw_columns(ox0 + k - P, 16, W) : dw_columns(2 * ox0 + k - P, 32, W);
      __m512 acc[T];
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t) {
        acc[t] = _mm512_set1_ps(bias);
        if (res && t < nt) acc[t] = _mm512_add_ps(acc[t], _mm512_maskz_loadu_ps(store, res + long(oy0 + t) * OW + ox0));
      }
#pragma GCC unroll 32
      for (int r = 0; r < rows_in; ++r) {
        const int iy = (oy0 * S) - P + r;
        if (iy < 0 || iy >= H) continue;
        const float* row = x + long(iy) * W + long(ox0) * S - P;
        // acc[t] += tap[ky][kx] * v for every output row t of the block that input row r reaches
        auto feed = [&](int kx, __m512 v) {
#pragma GCC unroll 8
          for (int t = 0; t < T; ++t) {
            const int ky = r - t * S;
            if (ky >= 0 && ky < K) acc[t] = _mm512_fmadd_ps(tap[ky * K + kx], v, acc[t]);
          }
        };
        if constexpr (S == 1) {
#pragma GCC unroll 5
          for (int kx = 0; kx < K; ++kx) feed(kx, _mm512_maskz_loadu_ps(__mmask16(cols[kx]), row + kx));
        } else {
#pragma GCC unroll 3
          for (int kx = 0; kx < K; kx += 2) {
            const __m512 lo = _mm512_maskz_loadu_ps(__mmask16(cols[kx]), row + kx);
            const __m512 hi = _mm512_maskz_loadu_ps(__mmask16(cols[kx] >> 16), row + kx + 16);
            feed(kx, _mm512_permutex2var_ps(lo, even, hi));
            if (kx + 1 < K) feed(kx + 1, _mm512_permutex2var_ps(lo, odd, hi));
          }
        }
      }
#pragma GCC unroll 8
      for (int t = 0; t < T; ++t)
        if (t < nt) _mm512_mask_storeu_ps(y + long(oy0 + t) * OW + ox0, store, activate_in_register(act, acc[t]));
      if (activated_after_store(act))
        for (int t = 0; t < nt; ++t) activate_stored(act, y + long(oy0 + t) * OW + ox0, store);
    }
  }
}

#endif

template <int K, int S, int T>
inline void depthwise_planes(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                             int batch, part p) {
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  const int planes = batch * g.out_c;
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const int c = pl % g.out_c;
#if defined(__AVX512F__) && defined(__FMA__)
    depthwise_plane<K, S, T>(g, in + plane_offset(pl, g.in_c, g.in_image(), hw), wp + c * K * K, ep.bias ? ep.bias[c] : 0.0f,
                             ep.residual ? ep.residual + pl * ohw : nullptr, out + plane_offset(pl, g.out_c, g.out_image(), ohw),
                             ep.act);
#else
    depthwise_plane_vec<K, S, T>(g, in + plane_offset(pl, g.in_c, g.in_image(), hw), wp + c * K * K,
                                 ep.bias ? ep.bias[c] : 0.0f, ep.residual ? ep.residual + pl * ohw : nullptr,
                                 out + plane_offset(pl, g.out_c, g.out_image(), ohw), ep.act);
#endif
  }
}

}  // namespace detail

// Part p of the depthwise convolution of `batch` images; requires depthwise_fast(g).
inline void depthwise_conv2d(const conv_geometry& g, const float* in, const float* packed_weight, const epilogue& ep,
                             float* out, int batch, part p = {}) {
  if (g.kernel_h == 3)
    return g.stride_h == 1 ? detail::depthwise_planes<3, 1, 8>(g, in, packed_weight, ep, out, batch, p)
                           : detail::depthwise_planes<3, 2, 4>(g, in, packed_weight, ep, out, batch, p);
  return g.stride_h == 1 ? detail::depthwise_planes<5, 1, 4>(g, in, packed_weight, ep, out, batch, p)
                         : detail::depthwise_planes<5, 2, 4>(g, in, packed_weight, ep, out, batch, p);
}

}  // namespace typenet::kernels
