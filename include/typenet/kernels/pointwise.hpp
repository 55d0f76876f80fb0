#pragma once
// Dense 1x1 convolutions on small images (14x14, 7x7: ResNe(X)t's stages 3 and 4), vectorised over
// output channels instead of pixels.
//
// The register tile (kernels/oc_tile.hpp) is 32 output channels x 14 output pixels; its input is
// 14 contiguous floats per channel plane (stride 1) or every second float of one output row's
// input (stride 2). Measured in ResNeXt-50 on one core against the pixel-vector tile: stage 3's
// 1x1 layers 101-109 GFLOP/s (were 86-97), stage 4's 95-104 (91-97), the stride-2 projections of
// stages 3 and 4 106 and 97 (84 and 70); at 28x28 and 56x56 (fewer input channels per output row)
// the pixel tile is as fast or faster, so only layers of at most 14x14 outputs and 256 or more
// input channels come here.
//
// Work: (oc block, image, pixel tile) items, oc-block-major so that a block's weights (K x 128 B)
// stay in L2 across the batch and two threads at batch 1 each read half of the weights; the next
// block's weights are prefetched while the current one runs.
#include <algorithm>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>

namespace typenet::kernels {

// The layers this kernel takes (the packing follows it: blocks of 32 output channels).
constexpr bool pointwise_fast(const conv_geometry& g) {
  return g.groups == 1 && g.kernel_h == 1 && g.kernel_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.stride_h == g.stride_w && (g.stride_h == 1 || g.stride_h == 2) && g.out_c % oc_block == 0 &&
         g.in_c >= 256 && long(g.out_h) * g.out_w <= 196;
}

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// Stride 1 runs over the flattened image (no padding: input offset = output offset); stride 2
// runs one output row at a time. Quadrants: wp is packed as kernels/strassen.hpp packs (W11, W12,
// W21, W22, each in blocks of 32 output channels): block b's weights are two stretches of in_c / 2
// (oc_tile's Sum = 2).
template <int S, bool Quadrants = false>
inline void pointwise_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep,
                             float* out, int batch, part p) {
  const int nb = g.out_c / oc_block, K = g.in_c;
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  // runs of one image: stride 1, 14 pixels of the flattened image; stride 2, one output row
  const int runs = S == 1 ? int((ohw + 13) / 14) : g.out_h;
  const long wblock = long(K) * oc_block;
  const long per_block = long(batch) * runs, items = nb * per_block;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  oc_tile_args a{};
  a.hw = hw;
  a.K = K;
  a.ohw = ohw;
  a.act = ep.act;
  for (long it = i0; it < i1; ++it) {
    const int b = int(it / per_block), n = int(it % per_block / runs), row = int(it % runs);
    const long in_off = S == 1 ? 14L * row : long(row) * S * g.in_w, out_off = S == 1 ? 14L * row : long(row) * g.out_w;
    const int len = int(S == 1 ? std::min(14L, ohw - out_off) : g.out_w);
    a.w = wp + b * wblock;
    if constexpr (Quadrants) {
      const long Q = wblock * nb / 4;  // one quadrant: out_c / 2 x in_c / 2
      const int half = nb / 2;
      a.w = wp + (b < half ? 0 : 2 * Q) + (b % half) * wblock / 2;
      a.w2 = a.w + Q;
      a.K = K / 2;
    }
    a.in = in + n * g.in_image() + in_off;
    a.out = out + n * g.out_image() + long(b) * oc_block * ohw + out_off;
    a.res = ep.residual ? ep.residual + n * g.out_size() + long(b) * oc_block * ohw + out_off : nullptr;
    a.bias = ep.bias ? ep.bias + b * oc_block : nullptr;
    // The next block's weights into L2, spread over this block's runs and their input channels
    // (a burst of prefetches would stall on the memory system's queues). Beyond the layer's last
    // block: stay on this block's first line.
    const long lines = wblock * long(sizeof(float)) / 64, j = it % per_block;
    const long l0 = lines * j / per_block, l1 = std::min(lines * (j + 1) / per_block, l0 + K);
    const bool ahead = b + 1 < nb && l1 > l0;
    a.pf = reinterpret_cast<const char*>(ahead ? a.w + wblock : a.w) + (ahead ? l0 * 64 : 0);
    if constexpr (Quadrants) {  // the next block's two stretches: the first half of its lines, then the second
      const long half_lines = lines / 2;
      const float* next = b + 1 == nb / 2 ? wp + 2 * (wblock * nb / 4) : a.w + wblock / 2;
      a.pf = reinterpret_cast<const char*>(l0 < half_lines ? next : next + wblock * nb / 4) + (l0 % half_lines) * 64;
      if (!ahead) a.pf = reinterpret_cast<const char*>(a.w);
    }
    a.pf_step = ahead ? 64 : 0;
    oc_run<S, false, Quadrants ? 2 : 0>(a, len);
  }
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
