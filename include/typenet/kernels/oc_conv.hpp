#pragma once
// Spatial convolutions (3x3 and the like) on small images, vectorised over output channels: the
// oc tile of kernels/oc_tile.hpp over zero-padded input.
//
// On 14x14 and 7x7 outputs the pixel-vector tile of kernels/conv2d.hpp wastes lanes (49 pixels
// fill four vectors of 16) and masks every border tap; ResNeXt-50's stage-4 grouped 3x3s (32
// channels per group) ran at ~60% of peak alone on Zen 5 and at 30% in the model. Here one group's
// input is first copied zero-padded into the thread's panel, so each k = (tap, input channel) is
// one offset in a table and no lane is masked; the tile is 32 output channels x one output row of
// up to 14 pixels, or two rows of 7 (stage 4 at 224x224) in one tile of 14.
//
// Work: (image, group, 32-channel block, run of rows) items split among the parts; a part stages
// a group's input once for all its items of that group, and a block's weights (K x 128 B) are
// reused by its runs while the next block's are prefetched.
#include <algorithm>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>
#include <typenet/kernels/panel.hpp>

namespace typenet::kernels {

// k = (tap, input channel) pairs of one output channel at most (the table is on the stack).
constexpr int oc_conv_max_k = 4608;  // 3x3 over 512 channels
// Floats of one group's input, zero-padded.
constexpr long oc_conv_panel_floats(const conv_geometry& g) {
  return long(g.in_c_per_group()) * (g.in_h + 2 * g.pad_h) * (g.in_w + 2 * g.pad_w);
}

// The layers this kernel takes (the packing follows it: blocks of 32 output channels): more than
// one tap, whole 32-channel blocks per group, outputs 7 or 14 wide (whole tiles of 14; at 8 wide
// the 7 + 1 tiles made Inception-v3's 1x3 and 3x1 layers 1.5x slower) of at most 196 pixels,
// stride 1 or 2 on both axes, and a padded group input that fits the thread's panel. Zen 5, one
// core, alone: ResNet-50's 3x3 over 512 channels at 7x7 1.81-2.09 -> 1.23-1.27 ms, over 256 at 14x14
// 1.39-1.40 -> 1.26-1.32 ms; ResNeXt-50's stage-4 grouped 3x3s as fast as the pixel tile alone,
// and in the model (weights from DRAM) 1.24 -> 1.06 ms for the three.
constexpr bool oc_conv_fast(const conv_geometry& g) {
#if defined(__AVX512F__) && defined(__FMA__)
  return g.taps() > 1 && g.out_c_per_group() % oc_block == 0 && g.in_c_per_group() >= 8 &&
         (g.out_w == 7 || g.out_w == 14) && long(g.out_h) * g.out_w <= 196 && g.stride_h == g.stride_w &&
         (g.stride_h == 1 || g.stride_h == 2) && g.kernel_h <= 7 && g.kernel_w <= 7 &&
         long(g.in_c_per_group()) * g.taps() <= oc_conv_max_k && oc_conv_panel_floats(g) <= detail::thread_panel_floats;
#else
  return (void)g, false;
#endif
}

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// Channels [0, icg) of one group (x: its first channel) into panel, each plane zero-padded: whole
// padded rows as masked 16-float moves (a group of 32 small planes is a few hundred of them; a
// copy call per row cost as much as the group's tiles).
inline void stage_padded_group(const conv_geometry& g, const float* x, float* panel) {
  const int PH = g.in_h + 2 * g.pad_h, PW = g.in_w + 2 * g.pad_w;
  const long hw = long(g.in_h) * g.in_w;
  const __m512 zero = _mm512_setzero_ps();
  for (int ci = 0; ci < g.in_c_per_group(); ++ci)
    for (int y = 0; y < PH; ++y) {
      float* d = panel + (long(ci) * PH + y) * PW;
      const int iy = y - g.pad_h;
      // padded column c reads input column c - pad_w (lanes outside the row stay zero, unread)
      const float* src = x + ci * hw + long(iy) * g.in_w - g.pad_w;
      for (int c = 0; c < PW; c += 16) {
        const int n = std::min(16, PW - c);
        const int lo = std::clamp(g.pad_w - c, 0, n), hi = std::clamp(g.pad_w + g.in_w - c, 0, n);
        const bool row = iy >= 0 && iy < g.in_h && lo < hi;
        const __mmask16 inside = row ? __mmask16(((1u << hi) - 1) & ~((1u << lo) - 1)) : 0;
        const __m512 v = inside ? _mm512_maskz_loadu_ps(inside, src + c) : zero;
        _mm512_mask_storeu_ps(d + c, __mmask16((1u << n) - 1), v);
      }
    }
}

template <int S>
inline void oc_conv_avx512(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep, float* out,
                           int batch, part p) {
  const int icg = g.in_c_per_group(), ocg = g.out_c_per_group(), nb = ocg / oc_block;
  const int PH = g.in_h + 2 * g.pad_h, PW = g.in_w + 2 * g.pad_w;
  const int K = icg * g.taps();
  const long ohw = long(g.out_h) * g.out_w, wblock = long(K) * oc_block;
  int koff[oc_conv_max_k];  // packed order: k = (ky * KW + kx) * icg + ci
  for (int ky = 0; ky < g.kernel_h; ++ky)
    for (int kx = 0; kx < g.kernel_w; ++kx)
      for (int ci = 0; ci < icg; ++ci) koff[(ky * g.kernel_w + kx) * icg + ci] = ci * PH * PW + ky * PW + kx;
  const int rows_per_run = g.out_w == 7 ? 2 : 1;
  const int runs = (g.out_h + rows_per_run - 1) / rows_per_run;
  const long per_group = long(nb) * runs, per_image = g.groups * per_group, items = batch * per_image;
  float* panel = thread_panel();
  long staged = -1;  // image * groups + group in the panel
  oc_tile_args a{};
  a.koff = koff;
  a.K = K;
  a.ohw = ohw;
  a.act = ep.act;
  a.split = long(S) * PW - S * 7;
  const long lines = wblock * long(sizeof(float)) / 64;
  for (long it = p.begin(items); it < p.end(items); ++it) {
    const int n = int(it / per_image), grp = int(it % per_image / per_group);
    const int b = int(it % per_group / runs), run = int(it % runs), row0 = run * rows_per_run;
    if (const long key = long(n) * g.groups + grp; key != staged) {
      stage_padded_group(g, in + n * g.in_image() + long(grp) * icg * g.in_h * g.in_w, panel);
      staged = key;
    }
    const int gb = grp * nb + b;
    const long o = long(gb) * oc_block * ohw + long(row0) * g.out_w;
    a.in = panel + long(row0) * S * PW;
    a.w = wp + gb * wblock;
    a.out = out + n * g.out_image() + o;
    a.res = ep.residual ? ep.residual + n * g.out_size() + o : nullptr;
    a.bias = ep.bias ? ep.bias + gb * oc_block : nullptr;
    // The next block's weights into L2, a share per run, one line per k (they come from DRAM in
    // a model: 1.2 MB per stage-4 layer of ResNeXt-50).
    const long l0 = lines * run / runs, l1 = std::min(lines * (run + 1) / runs, l0 + K);
    const bool ahead = gb + 1 < g.groups * nb && l1 > l0;
    a.pf = reinterpret_cast<const char*>(ahead ? a.w + wblock : a.w) + (ahead ? l0 * 64 : 0);
    a.pf_step = ahead ? 64 : 0;
    if (rows_per_run == 2 && row0 + 1 < g.out_h)
      oc_tile<14, S, true, 0, 7>(a);
    else
      oc_run<S, true>(a, g.out_w);
  }
}

}  // namespace detail
#endif

}  // namespace typenet::kernels
