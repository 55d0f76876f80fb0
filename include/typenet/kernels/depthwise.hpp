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
// Builds without AVX-512 run the same sweep on kernels/simd.hpp's vectors (depthwise_plane_vec),
// and 5x5 stride 1 on planes wider than a vector from a zero-padded copy in the thread's panel
// (depthwise_plane_staged). Parts split the (image, channel) planes, so two threads at batch 1
// both work. No heap, no scratch; `in` must not alias `out`, ep.residual may.
#include <algorithm>
#include <cstdint>

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/panel.hpp>
#include <typenet/kernels/simd.hpp>

namespace typenet::kernels {

constexpr bool depthwise_fast(const conv_geometry& g) {
  const int k = g.kernel_h;
  return g.groups == g.in_c && g.out_c == g.in_c && (k == 3 || k == 5) && g.kernel_w == k &&
         (g.stride_h == 1 || g.stride_h == 2) && g.stride_w == g.stride_h && g.pad_h == k / 2 && g.pad_w == k / 2;
}

namespace detail {

// 5x5 stride 1 on planes wider than one vector, on the build's vectors (kernels/simd.hpp), for
// builds without AVX-512: from a zero-padded copy of the plane in the thread's panel
// (kernels/panel.hpp), every tap reads whole vectors at a fixed offset, with no border test and
// no masked load. A block is T output rows x V vectors (T V = 6 accumulators), staged row by
// staged row, each FMA reading its input and its tap from L1. Against the in-place sweep below
// (masked loads at the borders, rows outside the image skipped by branches; 25 taps and 4 rows
// of accumulators in 16 registers), on Zen 3 in alternating runs: 5x5 on 14- and 28-wide planes
// 1.3-1.9x. 3x3 planes were a wash (0.8-1.15x, within this host's noise), stride 2 with its
// column phases staged lane by lane 0.25-0.8x, planes of one vector a row (7x7) 0.64-1.04x: all
// keep the sweep. A plane that outgrows the panel goes in bands of output rows and segments of
// output columns.
template <int K, int T, int V>
inline void depthwise_block(const float* b, int row, const vecf (&tap)[K * K], vecf (&acc)[T][V]) {
  constexpr int L = vlanes;
  // staged row r feeds output row t through tap row r - t
#pragma GCC unroll 16
  for (int r = 0; r < T + K - 1; ++r, b += row)
#pragma GCC unroll 5
    for (int kx = 0; kx < K; ++kx)
#pragma GCC unroll 6
      for (int t = 0; t < T; ++t) {
        const int ky = r - t;
        if (ky < 0 || ky >= K) continue;
#pragma GCC unroll 6
        for (int v = 0; v < V; ++v) acc[t][v] += tap[ky * K + kx] * loadv(b + kx + v * L);
      }
}

// Rows [0, nt) x vectors [0, nv) of a block (nv <= V), the last vector's first n_last lanes.
template <int K, int T, int V>
inline void depthwise_rows(const float* b, int row, const vecf (&tap)[K * K], float bias, const float* res, float* y, int ow,
                           int nt, int nv, int n_last, activation act) {
  constexpr int L = vlanes;
  if constexpr (V > 1)
    if (nv < V) return depthwise_rows<K, T, V - 1>(b, row, tap, bias, res, y, ow, nt, nv, n_last, act);
  vecf acc[T][V];
  for (int t = 0; t < T; ++t)
    for (int v = 0; v < V; ++v) acc[t][v] = splat(bias);
  depthwise_block<K, T, V>(b, row, tap, acc);
  for (int t = 0; t < nt; ++t)
    for (int v = 0; v < V; ++v) {
      const long o = long(t) * ow + v * L;
      const int n = v == V - 1 ? n_last : L;
      vecf a = acc[t][v];
      if (res) a += n == L ? loadv(res + o) : loadv_n(res + o, n);
      a = activate_lanes(act, a);
      if (n == L)
        storev(y + o, a);
      else
        storev_n(y + o, a, n);
    }
}

template <int K, int T>
inline void depthwise_plane_staged(const conv_geometry& g, const float* x, const float* w, float bias, const float* res,
                                   float* y, activation act) {
  constexpr int L = vlanes, P = K / 2, V = 6 / T;
  const int H = g.in_h, W = g.in_w, OH = g.out_h, OW = g.out_w;
  vecf tap[K * K];
  for (int t = 0; t < K * K; ++t) tap[t] = splat(w[t]);
  // A band of bt output rows (whole blocks of T) and a segment of seg output columns (whole
  // vectors) stage bt + K - 1 rows of seg + K - 1 floats.
  const auto staged = [](long bt, long seg) { return (bt + K - 1) * (seg + K - 1); };
  const int ow_up = (OW + L - 1) / L * L, oh_up = (OH + T - 1) / T * T;
  constexpr long room = thread_panel_floats - L;  // (L: the last staged vector's lanes past the end)
  int seg = ow_up;
  while (seg > L && staged(T, seg) > room) seg = (seg / 2 + L - 1) / L * L;
  int bt = oh_up;
  while (bt > T && staged(bt, seg) > room) bt = (bt / 2 + T - 1) / T * T;
  float* const buf = thread_panel();
  const int row = seg + K - 1;
  for (int ob = 0; ob < OH; ob += bt) {
    const int bn = std::min(bt, oh_up - ob);
    for (int os = 0; os < OW; os += seg) {
      const int sn = std::min(seg, ow_up - os);
      // staged row j, column c: input row ob + j - P, column os + c - P, or 0; whole vectors
      // (the last one's lanes past the row land on the next, staged after it)
      const int base = os - P, c0 = std::max(0, -base), c1 = std::clamp(W - base, c0, sn + K - 1);
      for (int j = 0; j < bn + K - 1; ++j) {
        float* d = buf + long(j) * row;
        const int iy = ob + j - P;
        const bool inside = iy >= 0 && iy < H;
        const float* src = x + long(iy) * W + base;
        for (int c = 0; c < row; c += L) {
          const int lo = std::clamp(c0 - c, 0, L), hi = inside ? std::clamp(c1 - c, 0, L) : 0;
          storev(d + c, lo == 0 && hi == L ? loadv(src + c) : lo < hi ? loadv_range(src + c, lo, hi) : vecf{});
        }
      }
      // blocks of T rows x V vectors; a row's last group balanced (7 vectors: 4 + 3, not 6 + 1)
      const int nvec = sn / L, groups = (nvec + V - 1) / V;
      for (int oy0 = 0; oy0 < bn; oy0 += T) {
        const int nt = std::min(T, OH - ob - oy0);
        for (int gi = 0, v0 = 0; gi < groups; ++gi) {
          const int nv = (nvec - v0) / (groups - gi);
          const int ox0 = os + v0 * L, n_last = std::min(L, OW - ox0 - (nv - 1) * L);
          const long o = long(ob + oy0) * OW + ox0;
          depthwise_rows<K, T, V>(buf + long(oy0) * row + v0 * L, row, tap, bias, res ? res + o : nullptr, y + o, OW, nt,
                                  nv, n_last, act);
          v0 += nv;
        }
      }
    }
  }
}

// Rows per block of depthwise_plane_staged: the most accumulators at work on average, over a
// row's groups of vectors and the rows computed past the plane's last.
inline int depthwise_staged_rows(const conv_geometry& g) {
  const int nvec = (g.out_w + vlanes - 1) / vlanes;
  int best = 1;
  double most = 0;
  for (int T : {1, 2, 3, 6}) {
    const int groups = (nvec + 6 / T - 1) / (6 / T), oh_up = (g.out_h + T - 1) / T * T;
    const double busy = double(T) * nvec / groups * g.out_h / oh_up;
    if (busy > most + 1e-9) best = T, most = busy;
  }
  return best;
}
// Where it pays (see above): 5x5, stride 1, planes wider than a vector.
inline bool depthwise_staged_fits(const conv_geometry& g) {
  return g.kernel_h == 5 && g.stride_h == 1 && g.out_w > vlanes;
}

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
#if !(defined(__AVX512F__) && defined(__FMA__))
  const int rows = depthwise_staged_fits(g) ? depthwise_staged_rows(g) : 0;
#endif
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const int c = pl % g.out_c;
    const float* x = in + plane_offset(pl, g.in_c, g.in_image(), hw);
    float* y = out + plane_offset(pl, g.out_c, g.out_image(), ohw);
    const float bias = ep.bias ? ep.bias[c] : 0.0f;
    const float* res = ep.residual ? ep.residual + pl * ohw : nullptr;
#if defined(__AVX512F__) && defined(__FMA__)
    depthwise_plane<K, S, T>(g, x, wp + c * K * K, bias, res, y, ep.act);
#else
    const float* wc = wp + c * K * K;
    if constexpr (S == 1 && K == 5)
      switch (rows) {
        case 1: depthwise_plane_staged<K, 1>(g, x, wc, bias, res, y, ep.act); continue;
        case 2: depthwise_plane_staged<K, 2>(g, x, wc, bias, res, y, ep.act); continue;
        case 3: depthwise_plane_staged<K, 3>(g, x, wc, bias, res, y, ep.act); continue;
        case 6: depthwise_plane_staged<K, 6>(g, x, wc, bias, res, y, ep.act); continue;
      }
    depthwise_plane_vec<K, S, T>(g, x, wc, bias, res, y, ep.act);
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
