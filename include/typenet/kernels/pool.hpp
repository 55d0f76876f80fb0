#pragma once
// Pooling kernels, NCHW float32. Parts split the (image, channel) planes.
#include <algorithm>
#include <limits>

#include <typenet/kernels/elementwise.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/reference.hpp>
#include <typenet/kernels/simd.hpp>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace typenet::kernels {

namespace detail {

// Max with PyTorch's NaN rule: a NaN in the window wins (once m is NaN no comparison replaces it).
inline float max_nan(float m, float v) { return (v > m || v != v) ? v : m; }
inline vecf max_nan(vecf m, vecf v) { return ((v > m) | (v != v)) ? v : m; }

// Any window on any CPU: per output row the maximum down the window's rows, in vectors over the
// input columns, then across each window's columns, in vectors of outputs for column strides 1
// and 2 (stride 2: the even lanes of two loads), the columns outside the input reading -inf from
// the buffer's margins. (Scalar across: ResNet's stem pool took 1.2-1.4 ms on Zen 3.) Rows wider
// than the stack buffer take the oracle's own loop.
inline void max_pool_plane_portable(const pool_geometry& g, const float* x, float* y) {
  constexpr int max_w = 4096, margin = 64, L = vlanes;
  if (g.in_w > max_w) {
    pool_geometry plane = g;
    plane.channels = 1;
    return reference::max_pool(plane, x, y, 1);
  }
  alignas(64) float buf[margin + max_w + margin];
  float* const col = buf + margin;  // col[-margin, in_w + margin): -inf outside [0, in_w)
  const float ninf = -std::numeric_limits<float>::infinity();
  std::fill(buf, buf + margin + max_w + margin, ninf);
  const int S = g.stride_w, KW = g.kernel_w;
  const bool vector_across = (S == 1 || S == 2) && g.pad_w <= margin / 2 && KW <= margin / 2;
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int r0 = std::max(0, oy * g.stride_h - g.pad_h), r1 = std::min(g.in_h, oy * g.stride_h - g.pad_h + g.kernel_h);
    std::fill(col, col + g.in_w, ninf);
    for (int r = r0; r < r1; ++r) {
      const float* row = x + long(r) * g.in_w;
      int i = 0;
      for (; i + vlanes <= g.in_w; i += vlanes) storev(col + i, max_nan(loadv(col + i), loadv(row + i)));
      for (; i < g.in_w; ++i) col[i] = max_nan(col[i], row[i]);
    }
    float* yr = y + long(oy) * g.out_w;
    int ox = 0;
    if (vector_across)  // outputs [ox, ox + L) read columns up to (ox + L - 1) S - pad + KW - 1 (+ L for S = 2)
      for (; ox + L <= g.out_w && (ox + L) * S - g.pad_w + KW + L <= g.in_w + margin; ox += L) {
        vecf m = splat(ninf);
        for (int c = 0; c < KW; ++c) {
          const float* base = col + ox * S - g.pad_w + c;
          m = max_nan(m, S == 1 ? loadv(base) : every_second<0>(loadv(base), loadv(base + L)));
        }
        storev(yr + ox, m);
      }
    for (; ox < g.out_w; ++ox) {
      const int c0 = std::max(0, ox * S - g.pad_w), c1 = std::min(g.in_w, ox * S - g.pad_w + KW);
      float m = ninf;
      for (int c = c0; c < c1; ++c) m = max_nan(m, col[c]);
      yr[ox] = m;
    }
  }
}

#if defined(__AVX512F__)
// One output row in vectors of 16 outputs; masked loads fill the padding and the columns past the
// input (ceil mode) with -inf. Stride S along the row (2: the even lanes of 32 loaded values); any
// stride down the columns. max_ps drops a NaN in its first operand, so for rows holding a NaN
// (TrackNan) NaNs are tracked in a mask and written at the end (PyTorch: a window holding a NaN
// gives NaN).
template <int S, bool TrackNan>
inline void max_pool_row_avx512(const pool_geometry& g, const float* x, float* y, int oy) {
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  const __m512i even =
      _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i zero = _mm512_setzero_si512(), vW = _mm512_set1_epi32(g.in_w);
  auto in_range = [&](int start) -> __mmask16 {
    const __m512i c = _mm512_add_epi32(_mm512_set1_epi32(start), iota);
    return _mm512_cmpge_epi32_mask(c, zero) & _mm512_cmplt_epi32_mask(c, vW);
  };
  for (int ox0 = 0; ox0 < g.out_w; ox0 += 16) {
    const int nl = std::min(16, g.out_w - ox0);
    const __mmask16 store = __mmask16(nl == 16 ? 0xffff : (1u << nl) - 1);
    __m512 m = ninf;
    __mmask16 nan = 0;
    for (int ky = 0; ky < g.kernel_h; ++ky) {
      const int iy = oy * g.stride_h + ky - g.pad_h;
      if (iy < 0 || iy >= g.in_h) continue;
      const float* row = x + long(iy) * g.in_w;
      for (int kx = 0; kx < g.kernel_w; ++kx) {
        const int ix0 = ox0 * S + kx - g.pad_w;  // input column of lane 0
        __m512 v;
        if constexpr (S == 1) {
          v = _mm512_mask_loadu_ps(ninf, in_range(ix0) & store, row + ix0);
        } else {
          const __m512 lo = _mm512_mask_loadu_ps(ninf, in_range(ix0), row + ix0);
          const __m512 hi = _mm512_mask_loadu_ps(ninf, in_range(ix0 + 16), row + ix0 + 16);
          v = _mm512_permutex2var_ps(lo, even, hi);
        }
        if constexpr (TrackNan) nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
        m = _mm512_mask_max_ps(m, 0xffff, m, v);  // (the unmasked form warns on GCC 12)
      }
    }
    if constexpr (TrackNan) m = _mm512_mask_mov_ps(m, nan, _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN()));
    _mm512_mask_storeu_ps(y + long(oy) * g.out_w + ox0, store, m);
  }
}

// (An unordered compare of two vectors finds a NaN in either: one compare per 32 floats.)
inline bool row_has_nan(const float* x, int n) {
  __mmask16 nan = 0;
  int i = 0;
  for (; i + 32 <= n; i += 32) nan |= _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), _mm512_loadu_ps(x + i + 16), _CMP_UNORD_Q);
  const auto tail = [&](int at) { return _mm512_maskz_loadu_ps(__mmask16(at >= n ? 0 : n - at >= 16 ? 0xffff : (1u << (n - at)) - 1), x + at); };
  return (nan | _mm512_cmp_ps_mask(tail(i), tail(i + 16), _CMP_UNORD_Q)) != 0;
}

// Input rows are checked for NaN as the windows first reach them (while they are in cache); an
// output row tracks NaNs only if one of its input rows holds one: the tracking costs a fifth.
template <int S>
inline void max_pool_plane_avx512(const pool_geometry& g, const float* x, float* y) {
  int checked = 0, last_nan = -1;  // rows [0, checked) checked; the last of them holding a NaN
  for (int oy = 0; oy < g.out_h; ++oy) {
    const int first = oy * g.stride_h - g.pad_h, end = std::min(first + g.kernel_h, g.in_h);
    for (; checked < end; ++checked)
      if (row_has_nan(x + long(checked) * g.in_w, g.in_w)) last_nan = checked;
    if (last_nan >= first) max_pool_row_avx512<S, true>(g, x, y, oy);
    else max_pool_row_avx512<S, false>(g, x, y, oy);
  }
}
#endif

// acc[i] += x[i] and row[i] /= d for i < n, in vectors (GCC vectorises no loop of unknown length
// at -O2).
inline void accumulate(float* acc, const float* x, int n) {
  int i = 0;
  for (; i + vlanes <= n; i += vlanes) storev(acc + i, loadv(acc + i) + loadv(x + i));
  for (; i < n; ++i) acc[i] += x[i];
}
inline void divide(float* row, int n, float d) {
  int i = 0;
  for (; i + vlanes <= n; i += vlanes) storev(row + i, loadv(row + i) / d);
  for (; i < n; ++i) row[i] /= d;
}

// One output row of an average pool: row[ox] += in[ox * S + kx - pad_w] for every in-range
// column, each kx one loop over the outputs whose column is inside the input. S = 0: the stride
// is read at run time.
template <int S>
inline void avg_pool_row_sum(const pool_geometry& g, const float* in, float* row) {
  const int s = S ? S : g.stride_w;
  for (int kx = 0; kx < g.kernel_w; ++kx) {
    const int off = kx - g.pad_w;  // input column of output 0
    const int lo = off < 0 ? (-off + s - 1) / s : 0;
    const int last = g.in_w - 1 - off;  // the last output's column must be <= in_w - 1
    const int hi = last < 0 ? 0 : std::min(g.out_w, last / s + 1);
    if constexpr (S == 1) {
      if (hi > lo) accumulate(row + lo, in + lo + off, hi - lo);
    } else {
      for (int ox = lo; ox < hi; ++ox) row[ox] += in[ox * s + off];
    }
  }
}

template <int S>
inline void avg_pool_plane(const pool_geometry& g, const float* x, float* y) {
  const int s = S ? S : g.stride_w;
  // Outputs [inner_lo, inner_hi) have their whole window inside the input: kernel_w columns in
  // either mode, so they divide by one number; the edges divide as reference::avg_pool says.
  const int inner_lo = std::min(g.out_w, (g.pad_w + s - 1) / s);
  const int inner_last = g.in_w - g.kernel_w + g.pad_w;
  const int inner_hi = std::max(inner_lo, inner_last < 0 ? 0 : std::min(g.out_w, inner_last / s + 1));
  for (int oy = 0; oy < g.out_h; ++oy) {
    float* row = y + long(oy) * g.out_w;
    std::fill(row, row + g.out_w, 0.0f);
    const int y0 = oy * g.stride_h - g.pad_h, y1 = std::min(y0 + g.kernel_h, g.in_h + g.pad_h);
    const int r0 = std::max(y0, 0), r1 = std::min(y1, g.in_h);
    for (int r = r0; r < r1; ++r) avg_pool_row_sum<S>(g, x + long(r) * g.in_w, row);
    const int rows = g.count_include_pad ? y1 - y0 : r1 - r0;
    divide(row + inner_lo, inner_hi - inner_lo, float(rows * g.kernel_w));
    auto edge = [&](int ox) {
      const int x0 = ox * s - g.pad_w, x1 = std::min(x0 + g.kernel_w, g.in_w + g.pad_w);
      const int cols = g.count_include_pad ? x1 - x0 : std::min(x1, g.in_w) - std::max(x0, 0);
      row[ox] /= float(rows * cols);
    };
    for (int ox = 0; ox < inner_lo; ++ox) edge(ox);
    for (int ox = inner_hi; ox < g.out_w; ++ox) edge(ox);
  }
}

}  // namespace detail

// Max pooling (padding = -infinity, NaN wins, PyTorch semantics) of `batch` images; part p of the
// planes.
inline void max_pool(const pool_geometry& g, const float* in, float* out, int batch, part p = {}) {
  const int planes = batch * g.channels;
  const long ihw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const float* x = in + plane_offset(pl, g.channels, g.in_image(), ihw);
    float* y = out + plane_offset(pl, g.channels, g.out_image(), ohw);
#if defined(__AVX512F__)
    if (g.stride_w == 1) {
      detail::max_pool_plane_avx512<1>(g, x, y);
      continue;
    }
    if (g.stride_w == 2) {
      detail::max_pool_plane_avx512<2>(g, x, y);
      continue;
    }
#endif
    detail::max_pool_plane_portable(g, x, y);
  }
}

// Average pooling (see reference::avg_pool) of `batch` images; part p of the planes.
inline void avg_pool(const pool_geometry& g, const float* in, float* out, int batch, part p = {}) {
  const int planes = batch * g.channels;
  const long ihw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const float* x = in + plane_offset(pl, g.channels, g.in_image(), ihw);
    float* y = out + plane_offset(pl, g.channels, g.out_image(), ohw);
    if (g.stride_w == 1) detail::avg_pool_plane<1>(g, x, y);
    else if (g.stride_w == 2) detail::avg_pool_plane<2>(g, x, y);
    else detail::avg_pool_plane<0>(g, x, y);
  }
}

// Mean over the spatial positions of each channel; out is [batch][channels]. Part p of the planes.
inline void global_avg_pool(int channels, int spatial, const float* in, float* out, int batch,
                            part p = {}) {
  using detail::vecf;
  constexpr int L = detail::vlanes;
  const int planes = batch * channels;
  const float inv = 1.0f / float(spatial);
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const float* x = in + long(pl) * spatial;
    vecf a0 = {}, a1 = {};
    int i = 0;
    for (; i + 2 * L <= spatial; i += 2 * L) {
      a0 += detail::loadv(x + i);
      a1 += detail::loadv(x + i + L);
    }
    for (; i + L <= spatial; i += L) a0 += detail::loadv(x + i);
    float s = detail::hsum(a0 + a1);
    for (; i < spatial; ++i) s += x[i];
    out[pl] = s * inv;
  }
}

// The same over an nChw16c input (kernels/layout.hpp; channels a multiple of 16): part p of the
// (image, channel block) pairs, each 16 sums of vectors.
inline void global_avg_pool_blocked(int channels, int spatial, const float* in, float* out, int batch, part p = {}) {
  constexpr int B = layout_block;
  const int blocks = batch * (channels / B);
  const float inv = 1.0f / float(spatial);
  for (int bl = p.begin(blocks); bl < p.end(blocks); ++bl) {
    const float* x = in + long(bl) * spatial * B;  // images are whole blocks apart
    float s[B] = {};
    for (int i = 0; i < spatial; ++i)
      for (int l = 0; l < B; ++l) s[l] += x[long(i) * B + l];
    for (int l = 0; l < B; ++l) out[long(bl) * B + l] = s[l] * inv;
  }
}

// Adaptive average pooling (see reference::adaptive_avg_pool); part p of the planes. Where the
// output equals the input size (VGG at 224x224) it is a copy.
inline void adaptive_avg_pool(int channels, int in_h, int in_w, int out_h, int out_w, const float* in, float* out, int batch,
                              part p = {}) {
  const int planes = batch * channels;
  const long ihw = long(in_h) * in_w, ohw = long(out_h) * out_w;
  for (int pl = p.begin(planes); pl < p.end(planes); ++pl) {
    const float* x = in + pl * ihw;
    float* y = out + pl * ohw;
    if (in_h == out_h && in_w == out_w) {
      std::copy(x, x + ihw, y);
      continue;
    }
    for (int i = 0; i < out_h; ++i) {
      const int y0 = i * in_h / out_h, y1 = ((i + 1) * in_h + out_h - 1) / out_h;
      for (int j = 0; j < out_w; ++j) {
        const int x0 = j * in_w / out_w, x1 = ((j + 1) * in_w + out_w - 1) / out_w;
        float s = 0.0f;
        for (int r = y0; r < y1; ++r)
          for (int c = x0; c < x1; ++c) s += x[long(r) * in_w + c];
        y[long(i) * out_w + j] = s / float((y1 - y0) * (x1 - x0));
      }
    }
  }
}

}  // namespace typenet::kernels
