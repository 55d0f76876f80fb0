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
#include <algorithm>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>

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

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

inline void stem_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                        int batch, part p) {
  const int nb = g.out_c / oc_block, KH = g.kernel_h, KW = g.kernel_w, C = g.in_c;
  const int K = g.taps() * C;
  const long span = stem_row_span(g), hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  alignas(64) float buf[stem_buffer_floats];
  int koff[stem_max_k];  // packed order: k = (ky * KW + kx) * C + ci
  for (int ky = 0; ky < KH; ++ky)
    for (int kx = 0; kx < KW; ++kx)
      for (int ci = 0; ci < C; ++ci) koff[(ky * KW + kx) * C + ci] = int((ci * KH + ky) * span + kx);
  oc_tile_args a{};
  a.koff = koff;
  a.K = K;
  a.ohw = ohw;
  a.act = ep.act;
  a.pf_step = 0;  // the weights (K x 128 B per block) stay in L1/L2
  const int rows = batch * g.out_h;
  for (int r = p.begin(rows); r < p.end(rows); ++r) {
    const int n = r / g.out_h, oy = r % g.out_h;
    const float* x = in + n * g.in_image();
    // input rows oy * S - pad_h + ky, columns -pad_w .. span - pad_w - 1, zero outside the image
    const int x0 = -g.pad_w, xa = std::max(0, x0), xb = int(std::min<long>(g.in_w, x0 + span));
    for (int ci = 0; ci < C; ++ci)
      for (int ky = 0; ky < KH; ++ky) {
        float* d = buf + (ci * KH + ky) * span;
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
    a.in = buf;
    for (int b = 0; b < nb; ++b) {
      const long o = long(b) * oc_block * ohw + long(oy) * g.out_w;
      a.w = wp + long(b) * K * oc_block;
      a.pf = reinterpret_cast<const char*>(a.w);
      a.out = out + n * g.out_image() + o;
      a.res = ep.residual ? ep.residual + n * g.out_size() + o : nullptr;
      a.bias = ep.bias ? ep.bias + b * oc_block : nullptr;
      oc_run<2, true>(a, g.out_w);
    }
  }
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
