#pragma once
// Strided convolutions over a few input channels (image stems: 7x7/2 over RGB in ResNets,
// DenseNet, GoogLeNet), vectorised over output channels.
//
// A pixel-vector tile spends most of its time on per-tap overhead here (3 input channels per tap:
// the stem ran at ~53% of peak), while the oc tile of kernels/oc_tile.hpp has one k per (tap,
// input channel): 147 k of 28 FMAs each for a 7x7 over 3 channels. Per output row, the input rows
// its taps read (kernel_h rows per channel, each padded to the row's span with zeros) are first
// copied into a stack buffer, so the tile needs no masks: k's input is at a fixed offset (a table
// built once per call) and the row's pixels are `stride` floats apart.
//
// Work: (image, output row) items split among the parts (even rows on 2 threads); each item runs
// every 32-channel block over its row.
//
// The max pool after a stem (3x3, stride 2: ResNets, DenseNets, GoogLeNet) can be applied in the
// same pass (stem_max_pool): per pooled row, the three conv rows of its windows are computed into
// a band on the stack (the last one is carried to the next pooled row, so no row is computed
// twice) and pooled from there, so the stem's full-size output (3.2 MB at 224x224) is never
// written nor read back.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>
#include <typenet/kernels/pool.hpp>

namespace typenet::kernels {

// Floats of input one output row reads per tap row: its span at the row's stride, plus the
// kernel's width.
constexpr long stem_row_span(const conv_geometry& g) { return long(g.out_w - 1) * g.stride_w + g.kernel_w; }
constexpr long stem_buffer_floats = 7168;  // 28 KiB of stack
constexpr int stem_max_k = 4 * 7 * 7;

// The layers this kernel takes (the packing follows it: blocks of 32 output channels): stride 2
// with at least 64 (tap, channel) pairs. Measured on one core against the pixel-vector tile: 7x7/2
// over 3 channels (147 pairs) 96 vs 79 GFLOP/s, 5x5/2 (75) 76 vs 63-75; but 3x3/2 over 3 channels
// (27 pairs: the store's transpose outweighs them) 56 vs 61-68, and at stride 1 the pixel tile
// reads whole vectors unpermuted (5x5 over 4 channels: 87-91 vs 95-101).
constexpr bool stem_fast(const conv_geometry& g) {
  return g.groups == 1 && g.in_c <= 4 && g.out_c % oc_block == 0 && g.taps() * g.in_c >= 64 && g.kernel_h <= 7 &&
         g.kernel_w <= 7 && g.stride_h == 2 && g.stride_w == 2 &&
         long(g.in_c) * g.kernel_h * stem_row_span(g) <= stem_buffer_floats;
}

// A max pool stem_max_pool applies: 3x3, stride 2, padding 0 or 1 (either rounding mode).
constexpr bool stem_pool_window(const pool_geometry& q) {
  return q.kernel_h == 3 && q.kernel_w == 3 && q.stride_h == 2 && q.stride_w == 2 && q.pad_h <= 1 && q.pad_w <= 1;
}
// Conv rows per band (32 channels x 3 rows of the stem's output, at most 128 wide): 48 KiB of
// stack per block.
constexpr long stem_band_floats = 3L * oc_block * 128;
// The stems stem_max_pool takes (where the kernels exist: the fusion pass asks).
constexpr bool stem_pool_conv(const conv_geometry& g) {
#if defined(__AVX512F__) && defined(__FMA__)
  return stem_fast(g) && 3L * oc_block * g.out_w <= stem_band_floats;
#else
  return (void)g, false;
#endif
}

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// The input rows output row oy's taps read, zero-padded to the row's span, into buf:
// [ci][ky][span].
inline void stage_stem_rows(const conv_geometry& g, const float* x, int oy, float* buf) {
  const long span = stem_row_span(g), hw = long(g.in_h) * g.in_w;
  // input rows oy * S - pad_h + ky, columns -pad_w .. span - pad_w - 1, zero outside the image
  const int x0 = -g.pad_w, xa = std::max(0, x0), xb = int(std::min<long>(g.in_w, x0 + span));
  for (int ci = 0; ci < g.in_c; ++ci)
    for (int ky = 0; ky < g.kernel_h; ++ky) {
      float* d = buf + (ci * g.kernel_h + ky) * span;
      const int iy = oy * g.stride_h - g.pad_h + ky;
      if (iy < 0 || iy >= g.in_h || xa >= xb) {
        std::fill(d, d + span, 0.0f);
        continue;
      }
      const float* srow = x + ci * hw + long(iy) * g.in_w;
      std::fill(d, d + (xa - x0), 0.0f);
      std::copy(srow + xa, srow + xb, d + (xa - x0));
      std::fill(d + (xb - x0), d + span, 0.0f);
    }
}

// The tile's arguments for every row of one stem: the offset of each k in the staged rows.
struct stem_tile {
  int koff[stem_max_k];  // packed order: k = (ky * KW + kx) * C + ci
  oc_tile_args a{};
  stem_tile(const conv_geometry& g, const epilogue& ep, const float* buf) {
    const long span = stem_row_span(g);
    for (int ky = 0; ky < g.kernel_h; ++ky)
      for (int kx = 0; kx < g.kernel_w; ++kx)
        for (int ci = 0; ci < g.in_c; ++ci) koff[(ky * g.kernel_w + kx) * g.in_c + ci] = int((ci * g.kernel_h + ky) * span + kx);
    a.koff = koff;
    a.K = g.taps() * g.in_c;
    a.act = ep.act;
    a.pf_step = 0;  // the weights (K x 128 B per block) stay in L1/L2
    a.in = buf;
  }
  // Block b of the output row staged in buf, into out (its first channel; channels ohw apart).
  void run(const conv_geometry& g, const float* wp, const epilogue& ep, int b, float* out, long ohw, const float* res) {
    a.w = wp + long(b) * a.K * oc_block;
    a.pf = reinterpret_cast<const char*>(a.w);
    a.out = out;
    a.ohw = ohw;
    a.res = res;
    a.bias = ep.bias ? ep.bias + b * oc_block : nullptr;
    oc_run<2, true>(a, g.out_w);
  }
};

inline void stem_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                        int batch, part p) {
  const int nb = g.out_c / oc_block;
  const long ohw = long(g.out_h) * g.out_w;
  alignas(64) float buf[stem_buffer_floats];
  stem_tile tile(g, ep, buf);
  const int rows = batch * g.out_h;
  for (int r = p.begin(rows); r < p.end(rows); ++r) {
    const int n = r / g.out_h, oy = r % g.out_h;
    stage_stem_rows(g, in + n * g.in_image(), oy, buf);
    for (int b = 0; b < nb; ++b) {
      const long o = long(b) * oc_block * ohw + long(oy) * g.out_w;
      tile.run(g, wp, ep, b, out + n * g.out_image() + o, ohw, ep.residual ? ep.residual + n * g.out_size() + o : nullptr);
    }
  }
}

// One pooled row of one channel from its window's conv rows (rows x cw floats, no NaN): the
// rows' maximum first, then the 3 columns of each window (stride 2), 16 outputs per vector.
inline void pool_band_row(const pool_geometry& q, const float* plane, int rows, float* y) {
  const int cw = q.in_w;
  alignas(64) float v[1 + 128 + 64];  // v[1 + x]: the rows' maximum at column x; -inf around
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  float* m = v + 1;
  v[0] = -std::numeric_limits<float>::infinity();
  for (int x = 0; x < cw + 48; x += 16) {
    const __mmask16 in = __mmask16(x >= cw ? 0 : cw - x >= 16 ? 0xffff : (1u << (cw - x)) - 1);
    __m512 a = _mm512_mask_loadu_ps(ninf, in, plane + x);
    for (int r = 1; r < rows; ++r) a = _mm512_mask_max_ps(a, 0xffff, a, _mm512_mask_loadu_ps(ninf, in, plane + r * cw + x));
    _mm512_storeu_ps(m + x, a);
  }
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13, 11, 9, 7, 5, 3, 1);
  const float* w = m - q.pad_w;  // window px starts at column 2 px - pad_w
  for (int px = 0; px < q.out_w; px += 16) {
    const int nl = std::min(16, q.out_w - px);
    const __mmask16 store = __mmask16(nl == 16 ? 0xffff : (1u << nl) - 1);
    const float* c = w + 2 * px;
    const __m512 lo = _mm512_loadu_ps(c), hi = _mm512_loadu_ps(c + 16);
    const __m512 lo2 = _mm512_loadu_ps(c + 2), hi2 = _mm512_loadu_ps(c + 18);
    __m512 r = _mm512_permutex2var_ps(lo, even, hi);                                        // columns 2 px - pad
    r = _mm512_mask_max_ps(r, 0xffff, r, _mm512_permutex2var_ps(lo, odd, hi));            // + 1
    r = _mm512_mask_max_ps(r, 0xffff, r, _mm512_permutex2var_ps(lo2, even, hi2));          // + 2
    _mm512_mask_storeu_ps(y + px, store, r);
  }
}

// The stem, then the max pool q over its output: pooled rows split among the parts. Per block,
// a band [32 channels][3 rows][out_w] holds the conv rows of one pooled row's windows; the input
// rows of a conv row are staged once for stem_pool_blocks blocks (2 measured 2% faster on
// ResNet's stem, for 48 KiB more stack: 76 KiB in all with 1).
constexpr int stem_pool_blocks = 1;
inline void stem_max_pool_avx512(const conv_geometry& g, const pool_geometry& q, const float* in, const float* wp,
                                 const epilogue& ep, float* out, int batch, part p) {
  const int nb = g.out_c / oc_block, cw = g.out_w;
  const long band_channel = 3L * cw, band_block = oc_block * band_channel, pooled_hw = long(q.out_h) * q.out_w;
  alignas(64) float buf[stem_buffer_floats];
  alignas(64) float band[stem_pool_blocks * stem_band_floats];
  stem_tile tile(g, ep, buf);
  const int rows = batch * q.out_h, r0 = p.begin(rows), r1 = p.end(rows);
  for (int b0 = 0; b0 < nb; b0 += stem_pool_blocks) {
    const int b1 = std::min(nb, b0 + stem_pool_blocks);
    int carried = -1;  // image * out_h + the conv row in the bands' last row, or -1
    for (int r = r0; r < r1; ++r) {
      const int n = r / q.out_h, py = r % q.out_h, top = py * q.stride_h - q.pad_h;
      const int first = std::max(top, 0), last = std::min(top + 3, g.out_h);  // the window's conv rows
      for (int cy = first; cy < last; ++cy) {
        if (cy == top && carried == n * g.out_h + cy) {
          for (int c = 0; c < (b1 - b0) * oc_block; ++c)
            std::copy_n(band + c * band_channel + 2 * cw, cw, band + c * band_channel);
          continue;
        }
        stage_stem_rows(g, in + n * g.in_image(), cy, buf);
        for (int b = b0; b < b1; ++b) tile.run(g, wp, ep, b, band + (b - b0) * band_block + (cy - top) * cw, band_channel, nullptr);
      }
      carried = last - top == 3 ? n * g.out_h + top + 2 : -1;
      // The pool of this row: its window's rows [first, last) as a plane of last - first rows.
      pool_geometry row = q;
      row.channels = 1, row.in_h = last - first, row.pad_h = first - top;
      for (int c = 0; c < (b1 - b0) * oc_block; ++c) {
        const float* plane = band + c * band_channel + (first - top) * cw;
        float* y = out + n * q.out_image() + (b0 * oc_block + c) * pooled_hw + long(py) * q.out_w;
        if (row_has_nan(plane, (last - first) * cw)) max_pool_row_avx512<2, true>(row, plane, y, 0);
        else pool_band_row(row, plane, last - first, y);
      }
    }
  }
}

}  // namespace detail
#endif

// Part p of the stem g (stem_pool_conv) on `batch` images, then the max pool q (stem_pool_window)
// over its output, into out (q's output).
inline void stem_max_pool(const conv_geometry& g, const pool_geometry& q, const float* in, const float* wp,
                          const epilogue& ep, float* out, int batch, part p = {}) {
#if defined(__AVX512F__) && defined(__FMA__)
  detail::stem_max_pool_avx512(g, q, in, wp, ep, out, batch, p);
#else
  (void)g, (void)q, (void)in, (void)wp, (void)ep, (void)out, (void)batch, (void)p;
  throw std::logic_error("stem_max_pool: needs AVX-512 (stem_pool_conv is false without it)");
#endif
}

}  // namespace typenet::kernels
