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
// a ring of three rows in the thread's panel (the last one serves the next pooled row too, so no
// row is computed twice) and pooled from there, so the stem's full-size output (3.2 MB at 224x224)
// is never written nor read back. The ring is pixel-major ([pixel][32 channels], as the tile holds
// it), so the pool is a max of vectors (first down the window's rows, then across its columns)
// and only the pooled row, a quarter of the pixels, is transposed into NCHW. Two blocks (64
// channels) share each staging of a conv row's input rows.
#include <algorithm>
#include <limits>
#include <stdexcept>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>
#include <typenet/kernels/panel.hpp>
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
// The ring: 3 conv rows of at most 128 pixels x 32 channels for each of up to 2 blocks (one
// staging of the input rows serves both), then one row's column maxima: in the thread's panel.
constexpr int stem_ring_columns = 128, stem_ring_blocks = 2;
constexpr long stem_ring_floats = 3L * stem_ring_blocks * oc_block * stem_ring_columns;
// The stems stem_max_pool takes (where the kernels exist: the fusion pass asks).
constexpr bool stem_pool_conv(const conv_geometry& g) {
#if defined(__AVX512F__) && defined(__FMA__)
  return stem_fast(g) && g.out_w <= stem_ring_columns;
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
  // The same row of block b pixel-major into ring (32 floats a pixel).
  void run_px(const conv_geometry& g, const float* wp, const epilogue& ep, int b, float* ring) {
    a.w = wp + long(b) * a.K * oc_block;
    a.pf = reinterpret_cast<const char*>(a.w);
    a.bias = ep.bias ? ep.bias + b * oc_block : nullptr;
    a.out = ring;
    a.res = nullptr;
    oc_run<2, true, 0, oc_store::pixels>(a, g.out_w);
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

// Pooled row py of one 32-channel block from the ring (conv row cy at ring + (cy % 3) * row_stride,
// pixel-major), its window's rows [first, last): the maximum down the rows per conv column into
// colmax, then across each window's columns (a NaN anywhere in a window gives NaN, as PyTorch's
// max pool); then the row transposed 16 x 16 into the block's 32 NCHW planes at y (pooled_hw
// apart). Down, then across: as many loads and maxima as each window's nine, read as two
// streams (the ring's rows in order, then the row of column maxima in L1).
inline void pool_ring_row(const pool_geometry& q, const float* ring, long row_stride, int cw, int first, int last,
                          float* colmax, float* y, long pooled_hw) {
  // pooled columns: at most 65 (stem_pool_conv: at most 128 conv columns; stem_pool_window: 3x3/2,
  // padding at most 1, ceil mode)
  constexpr int maxw = 65;
  alignas(64) float pooled[maxw * oc_block];
  const __m512 nan = _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN());
  // The maximum of n vectors, the i-th at at(i): NaN in the lanes where any of them is NaN.
  const auto nan_max = [&](int n, auto at) {
    __m512 m = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    __mmask16 unordered = 0;
    for (int i = 0; i < n; ++i) {
      const __m512 x = _mm512_load_ps(at(i));
      unordered |= _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
      m = _mm512_mask_max_ps(m, 0xffff, m, x);  // (the plain form: GCC 12 -Wuninitialized)
    }
    return _mm512_mask_mov_ps(m, unordered, nan);
  };
  const float* row[3];
  for (int r = first; r < last; ++r) row[r - first] = ring + (r % 3) * row_stride;
  for (long c = 0; c < long(cw) * oc_block; c += 16)
    _mm512_store_ps(colmax + c, nan_max(last - first, [&](int i) { return row[i] + c; }));
  for (int px = 0; px < q.out_w; ++px) {
    const int c0 = std::max(0, px * q.stride_w - q.pad_w), c1 = std::min(cw, px * q.stride_w - q.pad_w + 3);
    for (int h = 0; h < 2; ++h)
      _mm512_store_ps(pooled + px * oc_block + 16 * h,
                      nan_max(c1 - c0, [&](int i) { return colmax + long(c0 + i) * oc_block + 16 * h; }));
  }
  for (int px0 = 0; px0 < q.out_w; px0 += 16) {
    const int n = std::min(16, q.out_w - px0);
    const __mmask16 store = __mmask16(n == 16 ? 0xffff : (1u << n) - 1);
    for (int h = 0; h < 2; ++h) {
      __m512 r[16];
      for (int t = 0; t < 16; ++t) r[t] = t < n ? _mm512_load_ps(pooled + (px0 + t) * oc_block + 16 * h) : _mm512_setzero_ps();
      transpose16(r);
      for (int l = 0; l < 16; ++l) _mm512_mask_storeu_ps(y + (16 * h + l) * pooled_hw + px0, store, r[l]);
    }
  }
}

// The stem, then the max pool q over its output: pooled rows split among the parts. Blocks go two
// at a time: the conv rows of each pooled row's windows go into the ring, both blocks' after one
// staging of their input rows (64 channels: each conv row staged once, not twice). With the pool
// down, then across: ResNet's stem and pool on one Zen 5 core 1.43-1.45 -> 1.38-1.40 ms (same
// output, alternating calls), in ResNeXt-50 0.035 ms less on one thread, 0.04 on two.
inline void stem_max_pool_avx512(const conv_geometry& g, const pool_geometry& q, const float* in, const float* wp,
                                 const epilogue& ep, float* out, int batch, part p) {
  static_assert(stem_ring_floats + stem_ring_columns * oc_block <= thread_panel_floats, "stem: the ring fits the panel");
  const int nb = g.out_c / oc_block, cw = g.out_w;
  const long slot = long(cw) * oc_block, row_stride = stem_ring_blocks * slot, pooled_hw = long(q.out_h) * q.out_w;
  alignas(64) float buf[stem_buffer_floats];
  float* ring = thread_panel();  // [conv row % 3][block of the pair][pixel][32]
  float* colmax = ring + stem_ring_floats;
  stem_tile tile(g, ep, buf);
  const int rows = batch * q.out_h, r0 = p.begin(rows), r1 = p.end(rows);
  for (int b0 = 0; b0 < nb; b0 += stem_ring_blocks) {
    const int pair = std::min(stem_ring_blocks, nb - b0);
    long have[3] = {-1, -1, -1};  // image * out_h + conv row in each row of the ring
    for (int r = r0; r < r1; ++r) {
      const int n = r / q.out_h, py = r % q.out_h, top = py * q.stride_h - q.pad_h;
      const int first = std::max(top, 0), last = std::min(top + 3, g.out_h);  // the window's conv rows
      for (int cy = first; cy < last; ++cy) {
        const long id = long(n) * g.out_h + cy;
        if (have[cy % 3] == id) continue;  // the previous pooled row's last conv row
        stage_stem_rows(g, in + n * g.in_image(), cy, buf);
        for (int j = 0; j < pair; ++j) tile.run_px(g, wp, ep, b0 + j, ring + (cy % 3) * row_stride + j * slot);
        have[cy % 3] = id;
      }
      for (int j = 0; j < pair; ++j)
        pool_ring_row(q, ring + j * slot, row_stride, cw, first, last, colmax,
                      out + n * q.out_image() + long(b0 + j) * oc_block * pooled_hw + long(py) * q.out_w, pooled_hw);
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
