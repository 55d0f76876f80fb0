#pragma once
// Dense 1x1 convolutions vectorised over output channels instead of pixels: in NCHW on small
// images (14x14, 7x7: ResNe(X)t's stages 3 and 4), and at any size where the plan lays the input
// or the output out in nChw16c (kernels/layout.hpp).
//
// The register tile (kernels/oc_tile.hpp) is 32 output channels x 14 output pixels; its input is
// 14 contiguous floats per channel plane (stride 1) or every second float of one output row's
// input (stride 2), or in nChw16c the same pixels 16 floats apart, through a table of each input
// channel's offset. Measured in ResNeXt-50 on one core against the pixel-vector tile, NCHW: stage
// 3's 1x1 layers 101-109 GFLOP/s (were 86-97), stage 4's 95-104 (91-97), the stride-2 projections
// of stages 3 and 4 106 and 97 (84 and 70); at 28x28 and 56x56 (fewer input channels per output
// row) the pixel tile is as fast or faster in NCHW, so only layers of at most 14x14 outputs and
// 256 or more input channels come here unless blocked. Blocked, the store needs no transpose
// (bench/layout.cpp, each pair of layouts on ResNeXt-50's shapes: a blocked output 3-11% faster,
// a blocked input no faster than NCHW).
//
// Work: up to 196 output pixels, (oc block, image, pixel tile) items, oc-block-major so that a
// block's weights (K x 128 B) stay in L2 across the batch and two threads at batch 1 each read
// half of the weights; the next block's weights are prefetched while the current one runs.
// Larger images: pixel-major groups of 8 tiles over every block (the group's input stays in L2).
#include <algorithm>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>
#include <typenet/kernels/panel.hpp>

namespace typenet::kernels {

// Input channels a blocked input may have (the kernel's table of their offsets is on its stack).
constexpr int pointwise_max_blocked_k = 4096;

// The layers this kernel takes with a blocked input or output (kernels/layout.hpp; the plan asks
// before it chooses): dense 1x1 layers of stride 1 or 2 with whole 32-channel blocks out and
// 16-channel blocks in, of any image size.
constexpr bool pointwise_takes_layout(const conv_geometry& g) {
#if defined(__AVX512F__) && defined(__FMA__)
  return g.groups == 1 && g.kernel_h == 1 && g.kernel_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.stride_h == g.stride_w && (g.stride_h == 1 || g.stride_h == 2) && g.out_c % oc_block == 0 &&
         g.in_c % layout_block == 0 && g.in_c <= pointwise_max_blocked_k;
#else
  return (void)g, false;
#endif
}

// The layers this kernel takes (the packing follows it: blocks of 32 output channels): in NCHW,
// those of small images and many input channels (see above); blocked, pointwise_takes_layout.
constexpr bool pointwise_fast(const conv_geometry& g) {
  if (g.in_layout != layout::nchw || g.out_layout != layout::nchw) return pointwise_takes_layout(g);
  return g.groups == 1 && g.kernel_h == 1 && g.kernel_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
         g.stride_h == g.stride_w && (g.stride_h == 1 || g.stride_h == 2) && g.out_c % oc_block == 0 &&
         g.in_c >= 256 && long(g.out_h) * g.out_w <= 196;
}

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// Stride 1 runs over the flattened image (no padding: input offset = output offset); stride 2
// runs one output row at a time. Quadrants: wp is packed as kernels/strassen.hpp packs (W11, W12,
// W21, W22, each in blocks of 32 output channels): block b's weights are two stretches of in_c / 2
// (oc_tile's Sum = 2). BlockedIn: the input is nChw16c (the tile reads it through a table of each
// input channel's offset, pixels 16 floats apart); Store: the output's (and residual's) layout.
template <int S, bool Quadrants, bool BlockedIn, oc_store Store>
inline void pointwise_layout(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                             int batch, part p) {
  constexpr int L = BlockedIn ? layout_block : 1;  // floats from one input pixel to the next
  const int nb = g.out_c / oc_block, K = g.in_c;
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  if constexpr (S == 2 && !Quadrants) {
    // One image: its every second pixel of every second row into the thread's panel (in its
    // layout), then the stride-1 tile over the flattened 7x7 or 14x14 image. Every oc block reads
    // all of the input, and the subsampled copy is a quarter of it (200 KB against 800 KB at stage
    // 4: with the weights' block it stays in L2); each thread of a call copies the whole image, a
    // few us.
    if (batch == 1 && long(K) * ohw <= thread_panel_floats) {
      float* panel = thread_panel();
      conv_geometry h = g;
      h.in_h = g.out_h, h.in_w = g.out_w, h.stride_h = h.stride_w = 1, h.in_image_stride = 0;
      if constexpr (BlockedIn) {
        // blocked stays blocked: a pixel's 16 channels are one vector (read one float at a time
        // into NCHW planes, each of them would cost a line)
        for (int cb = 0; cb < K / layout_block; ++cb)
          for (int y = 0; y < g.out_h; ++y) {
            const float* row = in + (cb * hw + long(S) * y * g.in_w) * layout_block;
            float* to = panel + (cb * ohw + long(y) * g.out_w) * layout_block;
            for (int x = 0; x < g.out_w; ++x)
              _mm512_storeu_ps(to + x * layout_block, _mm512_loadu_ps(row + long(S) * x * layout_block));
          }
        return pointwise_layout<1, false, true, Store>(h, panel, wp, ep, out, 1, p);
      } else {
        for (int c = 0; c < K; ++c)
          for (int y = 0; y < g.out_h; ++y) {
            const float* row = in + long(c) * hw + long(S) * y * g.in_w;
            float* to = panel + (long(c) * g.out_h + y) * g.out_w;
            for (int x = 0; x < g.out_w; ++x) to[x] = row[S * x];
          }
        return pointwise_layout<1, false, false, Store>(h, panel, wp, ep, out, 1, p);
      }
    }
  }
  // runs of one image: stride 1, 14 pixels of the flattened image; stride 2, one output row, or
  // two rows of 7 (stage 4 at 224x224) in one tile of 14: a tile of 7 per row ran at half the
  // stride-1 layers' GFLOP/s on Zen 5 (two weight loads per 7 broadcasts)
  const int rows_per_run = S == 2 && g.out_w == 7 ? 2 : 1;
  const int runs = S == 1 ? int((ohw + 13) / 14) : (g.out_h + rows_per_run - 1) / rows_per_run;
  const long wblock = long(K) * oc_block;
  int koff[BlockedIn ? pointwise_max_blocked_k : 1];
  oc_tile_args a{};
  if constexpr (BlockedIn) {
    for (int k = 0; k < K; ++k) koff[k] = int(layout_offset(layout::nchw16c, k, 0, hw));
    a.koff = koff;
    // With two threads on one image, half of the input is in the other core's cache: without
    // this prefetch ResNeXt-50 ran 3.8% slower blocked than NCHW at batch 1, with it 0.8%. A
    // thread alone reads what it wrote: there, with the prefetch, bench/layout.cpp's layers ran
    // up to 8% slower from a blocked input than from NCHW (within 3% without), and the model
    // 0.1-0.2% slower (in-process A/B). At stride 2 the next run is the next output row's input
    // rows (prefetching 14 pixels on, the unused odd row, left ResNeXt-50's blocked layer3.0
    // projection at 0.81-0.85 ms on two threads against 0.65-0.67 with the right rows).
    if (p.count > 1) a.in_pf = (S == 1 ? 14L : long(S) * rows_per_run * g.in_w) * layout_block;  // the next run's
  } else if (S == 1 && p.count > 1) {
    // NCHW, for the same reason and likewise only when parts share the call: the tile after
    // next's floats of each plane. On 2 Zen 5 threads, 1024 -> 512 channels at 14x14 with the
    // input written by the two threads' channel halves (the previous op's split) ran 534 us
    // without it, 500 with it, 495 from a clean input; in ResNeXt-50 stage 3's conv1s went
    // 0.59 -> 0.56 ms and the pass 0.3-1.5% faster (in-process A/B, eight runs of 20-40
    // alternating passes).
    a.in_pf = 28;
  }
  a.hw = hw;
  a.K = K;
  a.ohw = ohw;
  a.act = ep.act;
  // Run `row` of image n into output block b.
  const auto run = [&](int b, int n, int row) {
    const int row0 = row * rows_per_run;
    const long in_off = S == 1 ? 14L * row : long(row0) * S * g.in_w;  // pixels
    const long out_off = S == 1 ? 14L * row : long(row0) * g.out_w;
    const int len = int(S == 1 ? std::min(14L, ohw - out_off) : g.out_w);
    const long to = Store == oc_store::blocked ? (2L * b * ohw + out_off) * layout_block : long(b) * oc_block * ohw + out_off;
    a.in = in + n * g.in_image() + in_off * L;
    a.out = out + n * g.out_image() + to;
    a.res = ep.residual ? ep.residual + n * g.out_size() + to : nullptr;
    a.bias = ep.bias ? ep.bias + b * oc_block : nullptr;
    if (rows_per_run == 2 && row0 + 1 < g.out_h) {
      a.split = (long(S) * g.in_w - S * 7) * L;
      oc_tile<14, S * L, BlockedIn, 0, 7, Store>(a);
    } else {
      oc_run<S * L, BlockedIn, Quadrants ? 2 : 0, Store>(a, len);
    }
  };
  if (!Quadrants && ohw > 196) {
    // Large images (blocked ones only; Strassen's quadrants keep the order below): pixel-major,
    // groups of about 8 tiles' pixels over every weight block, so that a group's input stays in
    // L1/L2 while the weights (at most 512 KiB at 56x56 and 28x28) pass over it (bench/layout.cpp's).
    const int run_pixels = S == 1 ? 14 : g.out_w * rows_per_run;
    const int group = std::max(1, 112 / run_pixels), groups = (runs + group - 1) / group;
    const long items = long(batch) * groups * nb;
    const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
    for (long it = i0; it < i1; ++it) {
      const int n = int(it / (long(groups) * nb)), gr = int(it / nb % groups), b = int(it % nb);
      a.w = wp + b * wblock;
      a.pf = reinterpret_cast<const char*>(a.w), a.pf_step = 0;  // (the weights stay in L2)
      for (int row = gr * group; row < std::min(runs, (gr + 1) * group); ++row) run(b, n, row);
    }
    return;
  }
  // Work: (oc block, image, run) items, block-major.
  const long per_block = long(batch) * runs, items = nb * per_block;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  for (long it = i0; it < i1; ++it) {
    const int b = int(it / per_block), n = int(it % per_block / runs), row = int(it % runs);
    a.w = wp + b * wblock;
    if constexpr (Quadrants) {
      const long Q = wblock * nb / 4;  // one quadrant: out_c / 2 x in_c / 2
      const int half = nb / 2;
      a.w = wp + (b < half ? 0 : 2 * Q) + (b % half) * wblock / 2;
      a.w2 = a.w + Q;
      a.K = K / 2;
    }
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
    run(b, n, row);
  }
}

// The layouts chosen at run time (geometry), each pair its own instantiation.
template <int S, bool Quadrants = false>
inline void pointwise_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                             int batch, part p) {
  if constexpr (Quadrants) {
    pointwise_layout<S, true, false, oc_store::nchw>(g, in, wp, ep, out, batch, p);
  } else {
    const bool blocked_in = g.in_layout == layout::nchw16c, blocked_out = g.out_layout == layout::nchw16c;
    if (blocked_in && blocked_out) return pointwise_layout<S, false, true, oc_store::blocked>(g, in, wp, ep, out, batch, p);
    if (blocked_in) return pointwise_layout<S, false, true, oc_store::nchw>(g, in, wp, ep, out, batch, p);
    if (blocked_out) return pointwise_layout<S, false, false, oc_store::blocked>(g, in, wp, ep, out, batch, p);
    pointwise_layout<S, false, false, oc_store::nchw>(g, in, wp, ep, out, batch, p);
  }
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
