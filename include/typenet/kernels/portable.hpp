#pragma once
// Convolution for every geometry and every CPU, on the build's widest vectors (kernels/simd.hpp):
// what runs where the AVX-512 tiles do not (AVX2 machines such as Zen 3, builds without
// -march=native, kernels larger than 7 or strides above 2), on the packed weights of
// kernels/conv2d.hpp (blocks of R output channels, [ky][kx][ci][R]).
//
// One register tile for everything: RT output channels x V vectors of output pixels, summed over
// (ky, kx, ci), one broadcast weight feeding V FMAs and one input vector RT. Two ways feed it:
//   - 1x1 layers without padding (conv1x1_portable): blocked as a GEMM, a block of the flattened
//     output's input gathered into a panel in L2 that each stretch of RT weight rows runs over;
//   - everything else (conv2d_portable): the rows an item's output rows read, staged on the stack
//     zero-padded and, for stride s > 1, split into s row and column phases, with the item's pixels
//     flattened at the staged pitch, so that every tap reads whole vectors and small images fill
//     the tile.
// Small images (7x7 stages, one pixel) turn the tile around (conv2d_portable_oc): 16 output
// channels x up to 6 pixels, the weights' vectors across output channels.
// Sums go to a buffer on the stack; bias, residual (in place too) and activation apply as the
// rows are written out. Parts own contiguous ranges of items.
#include <algorithm>

#include <typenet/kernels/epilogue.hpp>
#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/panel.hpp>
#include <typenet/kernels/simd.hpp>

namespace typenet::kernels::detail {

// Register tile per build width: RT output channels x V vectors (12 accumulators of the 16
// registers of AVX2, 24 of AVX-512's 32).
inline constexpr int portable_rows = vlanes == 16 ? 8 : 4;
inline constexpr int portable_vectors = 3;
// Fewer rows, more vectors: a tile of one or two rows (depthwise layers, groups of 1-2 channels)
// still has 6-8 independent accumulators to hide the FMA latency.
constexpr int portable_tile_vectors(int RT) { return RT >= 4 ? portable_vectors : RT == 2 ? 4 : 6; }

struct portable_tile_args {
  const float* x;     // input of the tile's first pixel at ky = kx = ci = 0
  const int* yoff;    // input offset per ky
  const int* xoff;    // input offset per kx
  long cstep;         // input step per input channel
  int KH, KW, nci;
  const float* w;  // weights at tap 0, the pass's first input channel, the tile's first row
  long wtap;       // weight step per tap (input channels of the group x R)
  int R;           // weight step per input channel (the packed block's rows)
  const float* pf;  // weights to prefetch alongside w (the next rows'), or null
  float* acc;      // row buffer at the tile's first row and pixel
  long acc_row;    // its row stride
  bool first;      // start from zero, else from the row buffer
  // With epilogue, acc is the output itself: stored as act(sum + bias[r] + res[r acc_row + i])
  // (act none or relu; bias, res may be null), as portable_store would.
  bool epilogue;
  bool relu;
  const float* bias;
  const float* res;
};

// acc[r][v] += w[r] x[v] for one (tap, channel): V input vectors at xp, RT weights at wp
// (portable_oc_tile: RV weight vectors, P inputs).
template <int RT, int V>
[[gnu::always_inline]] inline void portable_step(vecf (&acc)[RT][V], const float* xp, const float* wp) {
  constexpr int L = vlanes;
  vecf x[V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) {
    x[v] = loadv(xp + v * L);
#if defined(__x86_64__)
    // In a register: GCC would fold the load into each of the RT FMAs (RT loads per vector
    // instead of one), which made the tile load-bound: 25% slower on Zen 3.
    if constexpr (L == 16)
      asm("" : "+v"(x[v]));
    else
      asm("" : "+x"(x[v]));
#endif
  }
#pragma GCC unroll 12
  for (int r = 0; r < RT; ++r) {
    const vecf b = splat(wp[r]);
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) acc[r][v] += b * x[v];
  }
}

template <int RT, int V, bool Prefetch = false>
inline void portable_tile(const portable_tile_args& a) {
  constexpr int L = vlanes;
  vecf acc[RT][V];
  if (a.first)
    for (int r = 0; r < RT; ++r)
      for (int v = 0; v < V; ++v) acc[r][v] = vecf{};
  else
    for (int r = 0; r < RT; ++r)
      for (int v = 0; v < V; ++v) acc[r][v] = loadv(a.acc + r * a.acc_row + v * L);
  for (int ky = 0; ky < a.KH; ++ky)
    for (int kx = 0; kx < a.KW; ++kx) {
      const float* xp = a.x + a.yoff[ky] + a.xoff[kx];
      const float* wp = a.w + (ky * a.KW + kx) * a.wtap;
      [[maybe_unused]] const float* pf = Prefetch ? a.pf + (ky * a.KW + kx) * a.wtap : nullptr;
      for (int ci = 0; ci < a.nci; ++ci, xp += a.cstep, wp += a.R) {
        if constexpr (Prefetch) __builtin_prefetch(pf + ci * a.R);
        portable_step(acc, xp, wp);
      }
    }
  if (a.epilogue)
    for (int r = 0; r < RT; ++r) {
      const vecf b = splat(a.bias ? a.bias[r] : 0.0f);
      for (int v = 0; v < V; ++v) {
        vecf y = acc[r][v] + b;
        if (a.res) y += loadv(a.res + r * a.acc_row + v * L);
        storev(a.acc + r * a.acc_row + v * L, a.relu ? max0(y) : y);
      }
    }
  else
    for (int r = 0; r < RT; ++r)
      for (int v = 0; v < V; ++v) storev(a.acc + r * a.acc_row + v * L, acc[r][v]);
}

template <int RT, int V = portable_vectors, bool Prefetch = false>
inline void portable_tile_n(int nv, const portable_tile_args& a) {
  if constexpr (V > 1)
    if (nv < V) return portable_tile_n<RT, V - 1, Prefetch>(nv, a);
  portable_tile<RT, V, Prefetch>(a);
}

// The tile of RT rows (1, 2, 4 or portable_rows) and nv <= portable_tile_vectors(RT) vectors.
inline void portable_tile_rows(int RT, int nv, const portable_tile_args& a) {
  if (RT == portable_rows)
    portable_tile_n<portable_rows>(nv, a);
  else if (RT == 4)  // (portable_rows = 8: blocks of 4 rows)
    portable_tile_n<4, portable_tile_vectors(4)>(nv, a);
  else if (RT == 2)
    portable_tile_n<2, portable_tile_vectors(2)>(nv, a);
  else
    portable_tile_n<1, portable_tile_vectors(1)>(nv, a);
}

// y = act(sum + bias + residual) for n pixels of one output row of one channel (in vectors, the
// row's last n % L pixels masked).
inline void portable_store(const float* sum, float bias, const float* res, activation act, float* y, int n) {
  constexpr int L = vlanes;
  const auto one = [&](vecf v, const float* r, int m) {
    v += splat(bias);
    if (r) v += m == L ? loadv(r) : loadv_n(r, m);
    return activate_lanes(act, v);
  };
  int i = 0;
  for (; i + L <= n; i += L) storev(y + i, one(loadv(sum + i), res ? res + i : nullptr, L));
  if (i < n) storev_n(y + i, one(loadv_n(sum + i, n - i), res ? res + i : nullptr, n - i), n - i);
}

// 1x1 layers without padding, any stride, dense or grouped, blocked as a GEMM (out = W x in):
// the output's flattened pixels go in blocks of at most 64 vectors, and per block and pass over
// the input channels the block's input is gathered (subsampled for stride 2, zero past the last
// pixel) into a panel of at most 256 KiB that stays in L2, tile by tile ([tile][channel][pixel]:
// each tile reads one contiguous stretch). Every stretch of RT weight rows (in L1, the next one
// prefetched during the first tile) then runs over all the block's tiles, so that the output is
// written as RT long rows the prefetchers follow. (One 3-vector chunk at a time with every weight
// block over it wrote 96-byte pieces of every output row: stage 1 ran at 35-55% of peak.) Passes
// take at least 256 channels, and small images more (7x7: 1170), so that weights stream in long
// contiguous stretches (stages 3 and 4: 10-40% faster than passes of 256). An image of at most
// 8 vectors (7x7) is one block with balanced tiles (3 + 2 + 2 vectors, not 3 + 3 + 1). Partial
// sums between passes are kept in out (the residual added in the first pass, as it may be out).
// Whole tiles sum straight into out with the epilogue at their store (stage 1 3-9% faster than
// through a buffer and portable_store); part-filled ones take the buffer.
inline void conv1x1_portable(const conv_geometry& g, int R, const float* in, const float* wp, const epilogue& ep,
                             float* out, int batch, part p) {
  constexpr int L = vlanes, V = portable_vectors, max_block = 64, panel_floats = thread_panel_floats;
  const int RT = std::min(R, portable_rows);  // R is 1, 2, 4, 8, 16 or 32: a multiple of RT
  const int nb = (g.out_c_per_group() + R - 1) / R, icg = g.in_c_per_group(), ocg = g.out_c_per_group();
  const int strips = (ocg + RT - 1) / RT;  // RT-row stretches of the weights (the last part-filled)
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  const int nvec = int((ohw + L - 1) / L);
  const int kmax = std::max(256, panel_floats / (std::min(nvec, 16) * L));
  const int passes = (icg + kmax - 1) / kmax, kc = (icg + passes - 1) / passes;
  const int cap = std::max(1, std::min(max_block, panel_floats / (kc * L)));  // vectors a block may take
  const int nblocks = (nvec + cap - 1) / cap, bv = (nvec + nblocks - 1) / nblocks;  // balanced blocks
  const int tiles = (bv + V - 1) / V;
  float* const panel = thread_panel();
  alignas(64) float sums[portable_rows * V * L];
  long off[max_block * L];  // input offset of each output pixel of the block (strided layers)
  const long per_image = long(g.groups) * nblocks * strips;
  const long items = batch * per_image;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  portable_tile_args a{};
  const int off0 = 0;
  a.yoff = a.xoff = &off0;
  a.KH = a.KW = 1;
  a.R = R;
  a.wtap = long(icg) * R;
  const bool contiguous = g.stride_h == 1 && g.stride_w == 1;  // (no padding: input offset = output offset)
  const auto run_tile = [&](int t, int nv) {  // the first tile of a strip prefetches the next one's weights
    if (t == 0 && a.pf && RT == portable_rows)
      portable_tile_n<portable_rows, portable_vectors, true>(nv, a);
    else
      portable_tile_rows(RT, nv, a);
  };
  for (long it = i0; it < i1;) {
    // a run of strips [s0, s1) of one (image, group, pixel block)
    const long run = it / strips;
    const int s0 = int(it % strips), s1 = int(std::min<long>(i1 - run * strips, strips));
    it = run * strips + s1;
    const int n = int(run / (long(g.groups) * nblocks)), grp = int(run / nblocks % g.groups), blk = int(run % nblocks);
    const long q0 = long(blk) * bv * L;
    const int len = int(std::min<long>(long(bv) * L, ohw - q0));
    if (!contiguous)
      for (int j = 0; j < len; ++j) {
        const long q = q0 + j;
        off[j] = q / g.out_w * g.stride_h * g.in_w + q % g.out_w * g.stride_w;
      }
    const float* xin = in + n * g.in_image() + long(grp) * icg * hw;
    for (int c0 = 0; c0 < icg; c0 += kc) {
      const int nc = std::min(kc, icg - c0);
      // tile t (v0 vectors in, nv wide) at panel + nc v0 L, channel ci at + ci nv L. Channels
      // outer: each input row is read front to back, as the prefetchers follow (tiles outer read
      // 96 bytes of every channel in turn: a third of stage 1's 1x1 time went to the gather).
      for (int ci = 0; ci < nc; ++ci) {
        const float* src = xin + long(c0 + ci) * hw;
        for (int t = 0, v0 = 0, nv; t < tiles; ++t, v0 += nv) {
          nv = (bv - v0) / (tiles - t);  // balanced: 3 + 2 + 2
          const int j0 = v0 * L, m = std::max(0, std::min(nv * L, len - j0));
          float* dst = panel + long(nc) * j0 + ci * nv * L;
          if (contiguous) {
            copy_padded(dst, src + q0 + j0, m, nv);
          } else {
            for (int j = 0; j < m; ++j) dst[j] = src[off[j0 + j]];
            std::fill(dst + m, dst + nv * L, 0.0f);
          }
        }
      }
      const bool first = c0 == 0, last = c0 + nc == icg;
      a.nci = nc;
      a.first = first;
      for (int s = s0; s < s1; ++s) {
        const int oc0 = s * RT, nrows = std::min(RT, ocg - oc0), co0 = grp * ocg + oc0;
        a.w = wp + (long(grp) * nb + oc0 / R) * a.wtap + long(c0) * R + oc0 % R;
        const int nx = (s + 1) * RT;  // the next strip's weights, prefetched during the first tile
        a.pf = s + 1 < s1 ? wp + (long(grp) * nb + nx / R) * a.wtap + long(c0) * R + nx % R : nullptr;
        float* y = out + n * g.out_image() + long(co0) * ohw + q0;
        const float* res = first && ep.residual ? ep.residual + n * g.out_size() + long(co0) * ohw + q0 : nullptr;
        for (int t = 0, v0 = 0, nv; t < tiles; ++t, v0 += nv) {
          nv = (bv - v0) / (tiles - t);
          const int j0 = v0 * L, m = std::min(nv * L, len - j0);
          if (m <= 0) continue;
          a.x = panel + long(nc) * j0;
          a.cstep = nv * L;
          // A whole tile (every row and pixel real) sums straight into out, its epilogue at the
          // store; a part-filled one goes through `sums`.
          a.epilogue = nrows == RT && m == nv * L && (!last || ep.act == activation::none || ep.act == activation::relu);
          if (a.epilogue) {
            a.acc = y + j0;
            a.acc_row = ohw;
            a.bias = first && ep.bias ? ep.bias + co0 : nullptr;
            a.res = res ? res + j0 : nullptr;
            a.relu = last && ep.act == activation::relu;
            run_tile(t, nv);
            continue;
          }
          a.acc = sums;
          a.acc_row = nv * L;
          if (!first)  // the partial sums so far
            for (int r = 0; r < RT; ++r) copy_padded(sums + r * nv * L, y + r * ohw + j0, r < nrows ? m : 0, nv);
          run_tile(t, nv);
          // last pass: the epilogue; first of several: bias and residual; in between: the sums
          for (int r = 0; r < nrows; ++r)
            portable_store(sums + r * nv * L, first && ep.bias ? ep.bias[co0 + r] : 0.0f,
                           res ? res + r * ohw + j0 : nullptr, last ? ep.act : activation::none,
                           y + r * ohw + j0, m);
        }
      }
    }
  }
}

// Layers on small images (at most 64 output pixels, not a whole number of vectors: the 7x7
// stages of the classification zoo, squeeze-excitation's 1x1 over one pixel), vectorised over
// output channels instead: a pixel tile of 49 takes 7 vectors of 8 lanes (87.5% used) the other
// way, and a 3x3's staged rows would add the 2 padding columns of every row (63 flattened pixels
// for 49). As a matrix product over k = (tap, input channel) (the packing's order): the weights
// are packed in blocks of portable_oc_rows = 16 output channels ([k][16]: two AVX2 vectors per k);
// a tile is 16 channels x up to 6 pixels (AVX2; 3 with SSE), each input value broadcast over the
// 16 channels. Per (image, group) and pass of at most 1024 k the input is gathered once into the
// panel as [tile][k][pixel] (zero where a tap reads the padding), every block of the part runs
// over all tiles (its 64 KiB of weights in L2; passes of 256 or 512 were 5-25% slower on 1x1
// layers: the transposes between passes), and sums go out through a small [pixel][channel] buffer
// (a transpose: 96 scalar stores per tile against 1024 x 12 FMAs).
inline constexpr int portable_oc_rows = 16;
// Other layers than 1x1 without padding gather each input value with four bounds tests: 3-4
// cycles, which only 16 or more blocks of output channels amortise (Zen 3, 3x3 at 7x7: 512 -> 512,
// 192 -> 384 and 160 -> 320 1.18-1.35x, 256 -> 512 stride 2 1.02-1.08x; with 2 blocks (ResNeXt's groups of 32,
// DenseNet's 32 outputs) 0.38-0.5x, with 8 (a 5x5 48 -> 128) 0.92x).
constexpr bool portable_oc_fits(const conv_geometry& g) {
  const long ohw = long(g.out_h) * g.out_w;
  const bool plain = g.taps() == 1 && g.pad_h == 0 && g.pad_w == 0;
  return ohw <= 64 && ohw % vlanes != 0 && g.out_c_per_group() >= (plain ? 1 : 16) * portable_oc_rows;
}
inline constexpr int portable_oc_vectors = portable_oc_rows / vlanes;  // per tile pixel
inline constexpr int portable_oc_pixels = 12 / portable_oc_vectors;      // 12 accumulators

// buf[j][r] (+)= sum over nk of w[k][r] x[k][j], for P pixels.
template <int P>
[[gnu::noinline]] inline void portable_oc_tile(const float* x, const float* w, int nk, float* buf, bool first) {
  constexpr int L = vlanes, RV = portable_oc_vectors, R = portable_oc_rows;
  vecf acc[P][RV];
  for (int j = 0; j < P; ++j)
    for (int v = 0; v < RV; ++v) acc[j][v] = first ? vecf{} : loadv(buf + j * R + v * L);
  // portable_step with the roles swapped: RV weight vectors, P broadcast inputs
  for (int k = 0; k < nk; ++k, x += P, w += R) portable_step(acc, w, x);
  for (int j = 0; j < P; ++j)
    for (int v = 0; v < RV; ++v) storev(buf + j * R + v * L, acc[j][v]);
}

template <int P = portable_oc_pixels>
inline void portable_oc_tile_n(int np, const float* x, const float* w, int nk, float* buf, bool first) {
  if constexpr (P > 1)
    if (np < P) return portable_oc_tile_n<P - 1>(np, x, w, nk, buf, first);
  portable_oc_tile<P>(x, w, nk, buf, first);
}

inline void conv2d_portable_oc(const conv_geometry& g, const float* in, const float* wp, const epilogue& ep,
                               float* out, int batch, part p) {
  constexpr int L = vlanes, R = portable_oc_rows, RV = portable_oc_vectors, PM = portable_oc_pixels;
  constexpr int max_pixels = 64, kmax = 1024;
  const int nb = (g.out_c_per_group() + R - 1) / R, icg = g.in_c_per_group(), ocg = g.out_c_per_group();
  const long hw = long(g.in_h) * g.in_w;
  const int K = g.taps() * icg;
  const int np = g.out_h * g.out_w, tiles = (np + PM - 1) / PM;
  const int passes = (K + kmax - 1) / kmax, kc = (K + passes - 1) / passes;  // kc np <= 65536 floats
  float* const panel = thread_panel();
  int row0[max_pixels], col0[max_pixels];  // input row and column of each output pixel's tap (0, 0)
  for (int q = 0; q < np; ++q) {
    row0[q] = q / g.out_w * g.stride_h - g.pad_h;
    col0[q] = q % g.out_w * g.stride_w - g.pad_w;
  }
  alignas(64) float buf[PM * R];
  const long items = long(batch) * g.groups * nb;  // (image, group, block)
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  for (long it = i0; it < i1;) {
    // a run of blocks [b0, b1) of one (image, group): one gather per pass
    const long run = it / nb;
    const int b0 = int(it % nb), b1 = int(std::min<long>(i1 - run * nb, nb));
    it = run * nb + b1;
    const int n = int(run / g.groups), grp = int(run % g.groups);
    const float* xin = in + n * g.in_image() + long(grp) * icg * hw;
    for (int k0 = 0; k0 < K; k0 += kc) {
      const int nk = std::min(kc, K - k0);
      const bool first = k0 == 0, last = k0 + nk == K;
      // tile t (pixels [p0, p0 + P)) at panel + nk p0, k at + (k - k0) P
      for (int k = k0; k < k0 + nk; ++k) {
        const int tap = k / icg, ky = tap / g.kernel_w, kx = tap % g.kernel_w;
        const float* src = xin + long(k % icg) * hw;
        for (int t = 0, p0 = 0, P; t < tiles; ++t, p0 += P) {
          P = (np - p0) / (tiles - t);
          float* dst = panel + long(nk) * p0 + (k - k0) * P;
          for (int j = 0; j < P; ++j) {
            const int iy = row0[p0 + j] + ky, ix = col0[p0 + j] + kx;
            dst[j] = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w ? src[long(iy) * g.in_w + ix] : 0.0f;
          }
        }
      }
      for (int b = b0; b < b1; ++b) {
        const int co0 = grp * ocg + b * R, nrows = std::min(R, ocg - b * R);
        const float* w = wp + (long(grp) * nb + b) * K * R + long(k0) * R;
        float* y = out + n * g.out_image() + long(co0) * np;
        const float* res = first && ep.residual ? ep.residual + n * g.out_size() + long(co0) * np : nullptr;
        for (int t = 0, p0 = 0, P; t < tiles; ++t, p0 += P) {
          P = (np - p0) / (tiles - t);
          if (!first)  // the partial sums so far
            for (int r = 0; r < nrows; ++r)
              for (int j = 0; j < P; ++j) buf[j * R + r] = y[long(r) * np + p0 + j];
          portable_oc_tile_n(P, panel + long(nk) * p0, w, nk, buf, first);
          // last pass: the epilogue; first of several: bias and residual; in between: the sums
          if (first && ep.bias)
            for (int v = 0; v < RV; ++v) {
              const int m = std::clamp(nrows - v * L, 0, L);
              const vecf bv = m == L ? loadv(ep.bias + co0 + v * L) : loadv_n(ep.bias + co0 + v * L, m);
              for (int j = 0; j < P; ++j) storev(buf + j * R + v * L, loadv(buf + j * R + v * L) + bv);
            }
          const activation act = last ? ep.act : activation::none;
          for (int r = 0; r < nrows; ++r)
            for (int j = 0; j < P; ++j) {
              const long o = long(r) * np + p0 + j;
              y[o] = activate(act, buf[j * R + r] + (res ? res[o] : 0.0f));
            }
        }
      }
    }
  }
}

// R: the packing's block rows (kernels/conv2d.hpp's conv_block(g), passed in so that this header
// does not need that one).
inline void conv2d_portable(const conv_geometry& g, int R, const float* in, const float* wp, const epilogue& ep,
                            float* out, int batch, part p) {
  if (R == portable_oc_rows && portable_oc_fits(g)) return conv2d_portable_oc(g, in, wp, ep, out, batch, p);
  if (g.taps() == 1 && g.pad_h == 0 && g.pad_w == 0) return conv1x1_portable(g, R, in, wp, ep, out, batch, p);
  constexpr int L = vlanes, chunk = L * portable_vectors;
  const int RT = std::min(R, portable_rows);  // R is 1, 2, 4, 8, 16 or 32: a multiple of RT
  const int nb = (g.out_c_per_group() + R - 1) / R, icg = g.in_c_per_group(), ocg = g.out_c_per_group();
  const int KH = g.kernel_h, KW = g.kernel_w, SH = g.stride_h, SW = g.stride_w;
  const long hw = long(g.in_h) * g.in_w, ohw = long(g.out_h) * g.out_w;
  const long wblock = long(g.taps()) * icg * R;
  const int phases = std::min(SW, KW);  // column phases that some tap reads
  const int ext = (KW - 1) / SW;        // staged columns per phase beyond a row's outputs
  // An item is nr output rows x a segment of seg columns; its pixels are flattened with pitch
  // P = seg + ext (pixel (j, i) at j P + i, so that every tap reads contiguous vectors across
  // rows; the ext columns between rows are computed and dropped). Narrow images take several
  // rows per item (7x7 outputs: 7 rows, 63 pixels, tiles of 3 + 3 + 2 vectors instead of one
  // 8-lane vector per row; 56-wide ones 4 rows, 112-wide 2: 0-11% faster than half as many),
  // rows of 190 or more segments of one row. Row buffer: R rows of F = nr P pixels rounded up to
  // whole vectors, 32 KiB; staged input: per pass and channel, a block of the rows the taps read
  // per row phase and column phase (and slack for the last vector's reads), 48 KiB: one pass for
  // the 32-channel groups of ResNeXt's stride-2 3x3s (two passes restaged the rows per block: half
  // the speed). Rows are staged once per row phase (row stride SH: min(SH, KH) phases of
  // nr + (KH - 1) / SH rows), tap row ky reading phase ky % SH from ky / SH rows down: a copy per
  // kernel row made ResNeXt's 3x3s 15-45% slower.
  constexpr int acc_floats = 8192, stage_floats = 12288;
  const int row_phases = std::min(SH, KH);  // row phases that some tap reads
  const int rext = (KH - 1) / SH;            // staged rows per row phase beyond the item's
  auto up = [](long f) { return (f + L - 1) / L * L; };
  auto srow_of = [&](long nr_, long seg_) {  // floats per staged channel
    const long f = nr_ * (seg_ + ext), fs = (nr_ + rext) * (seg_ + ext);
    return row_phases * phases * fs + up(f) - f + KW;
  };
  auto fits_in = [&](long nr_, long seg_) { return R * up(nr_ * (seg_ + ext)) <= acc_floats && srow_of(nr_, seg_) <= stage_floats; };
  const bool may_unroll = g.taps() > 1 && icg <= 8 && ocg >= 32;  // the stem's unrolled panel (below)
  int nr = 1, seg = g.out_w, nseg = 1;
  if (g.out_w + ext >= 8 * chunk) {
    while (!fits_in(1, seg) && seg > L) {
      ++nseg;
      seg = (g.out_w + nseg - 1) / nseg;
    }
    nseg = (g.out_w + seg - 1) / seg;
  } else {
    nr = std::min(g.out_h, std::max(1, (8 * chunk + g.out_w + ext - 1) / (g.out_w + ext)));
    while (nr > 1 && !fits_in(nr, seg)) --nr;
    // Fewer rows where that lets every input channel be staged at once (below)
    const auto whole = [&](int nr_) { return icg * srow_of(nr_, seg); };
    if (!may_unroll && whole(nr) > stage_floats && whole(1) + L <= thread_panel_floats)
      while (nr > 1 && whole(nr) + L > thread_panel_floats) --nr;
    nr = (g.out_h + (g.out_h + nr - 1) / nr - 1) / ((g.out_h + nr - 1) / nr);  // balanced groups
  }
  const int groups_of_rows = (g.out_h + nr - 1) / nr;
  const int P = seg + ext, F = nr * P, Fup = int(up(F)), Fs = (nr + rext) * P;  // Fs: one phase block
  const long srow = srow_of(nr, seg);
  constexpr int max_kw = 16, max_kh = 128;
  int xoff[max_kw], yoff[max_kh];  // staged offset per kx and per ky
  for (int kx = 0; kx < KW && kx < max_kw; ++kx) xoff[kx] = (kx % SW) * Fs + kx / SW;
  for (int ky = 0; ky < KH && ky < max_kh; ++ky) yoff[ky] = (ky % SH) * phases * Fs + (ky / SH) * P;
  // Input channels per pass: as many staged rows as fit. Kernels wider than 16 or so large that
  // KH rows of one channel outgrow the stage buffer (none in the zoo) take plain loops.
  const bool fits = KW <= max_kw && KH <= max_kh && fits_in(nr, seg);
  // Dense layers with more channels than the stack's stage holds (ResNet's 3x3s: 64-512) stage
  // them all in the thread_local panel instead, so that every block reuses one staging (in passes,
  // each block restaged its rows: 40% of a 7x7 or 14x14 layer's time). Not with the stem's
  // unrolled panel below, which takes the panel itself.
  const bool stage_in_panel = fits && !may_unroll && icg * srow > stage_floats && icg * srow + L <= thread_panel_floats;
  const int kc = stage_in_panel ? icg : int(std::max(1L, std::min<long>(icg, stage_floats / srow)));
  // One pass over the input channels: the staged rows serve every block of the group (blocks inner)
  const bool blocks_inner = fits && kc == icg && nb > 1;
  alignas(64) float acc[acc_floats];
  alignas(64) float stage_on_stack[stage_floats + L];  // (+ L: the last staged row's last vector)
  float* const stage = stage_in_panel ? thread_panel() : stage_on_stack;
  long staged = -1;  // the (image, group, rows, segment) whose rows are in `stage`
  const long per_image = long(g.groups) * nb * groups_of_rows * nseg;
  const long items = batch * per_image;
  const long i0 = items * p.index / p.count, i1 = items * (p.index + 1) / p.count;
  // Few input channels per group and many output channels (stems: 3 channels x 49 taps): the
  // staged rows are unrolled once per staging into a panel [tile][tap, channel][pixel], so that
  // each tile runs one contiguous loop over taps x channels instead of 49 loops of 3 channels.
  const int vt = portable_tile_vectors(RT), K = g.taps() * icg;
  const long unrolled_floats = (Fup + vt * L - 1) / (vt * L) * long(K) * vt * L;
  const bool unrolled = fits && kc == icg && may_unroll && unrolled_floats <= thread_panel_floats;
  float* const panel = unrolled ? thread_panel() : nullptr;
  const int off0 = 0;
  portable_tile_args a{};
  a.xoff = xoff;
  a.yoff = yoff;
  a.R = R;
  a.wtap = long(icg) * R;
  a.acc_row = Fup;
  for (long it = i0; it < i1; ++it) {
    // items: (image, group, block, rows, segment), or with blocks inner (image, group, rows, segment, block)
    const int n = int(it / per_image);
    long rem = it % per_image;
    int blk = 0;
    if (blocks_inner) blk = int(rem % nb), rem /= nb;
    const int s = int(rem % nseg);
    rem /= nseg;
    const int oy0 = int(rem % groups_of_rows) * nr, nrr = std::min(nr, g.out_h - oy0);
    rem /= groups_of_rows;
    if (!blocks_inner) blk = int(rem % nb), rem /= nb;
    const int grp = int(rem), gb = grp * nb + blk;
    const int x0 = s * seg, len = std::min(seg, g.out_w - x0);
    const int co0 = grp * ocg + blk * R, nrows = std::min(R, ocg - blk * R);
    const float* xin = in + n * g.in_image() + long(grp) * icg * hw;
    const float* w = wp + long(gb) * wblock;
    if (!fits) {  // plain loops
      for (int r = 0; r < nrows; ++r)
        for (int j = 0; j < nrr; ++j)
          for (int i = 0; i < len; ++i) {
            const int oy = oy0 + j, ox = x0 + i;
            float sum = 0.0f;
            for (int ky = 0; ky < KH; ++ky) {
              const int iy = oy * SH + ky - g.pad_h;
              if (iy < 0 || iy >= g.in_h) continue;
              for (int kx = 0; kx < KW; ++kx) {
                const int ix = ox * SW + kx - g.pad_w;
                if (ix < 0 || ix >= g.in_w) continue;
                for (int ci = 0; ci < icg; ++ci)
                  sum += xin[ci * hw + long(iy) * g.in_w + ix] * w[(long(ky * KW + kx) * icg + ci) * R + r];
              }
            }
            acc[r * Fup + j * P + i] = sum;
          }
    } else {
      const int extent = (nrr - 1) * P + len;  // flattened pixels that hold outputs
      for (int c0 = 0; c0 < icg; c0 += kc) {
        const int nc = std::min(kc, icg - c0);
        const long key = it - (blocks_inner ? blk : 0);
        if (!(blocks_inner && staged == key)) {
          // stage (ky, ci, phase q, row j): input column x0 SW - pad_w + q + SW t at t (t < P)
          staged = key;
          const long col0 = long(x0) * SW - g.pad_w;
          int t0[max_kw] = {}, t1[max_kw] = {};  // per phase q: t in [t0, t1) reads a column inside the input
          for (int q = 0; q < phases; ++q) {
            const long lo = std::max(0L, -col0 - q), hi = g.in_w - col0 - q;  // q + SW t in [-col0, in_w - col0)
            t0[q] = int((lo + SW - 1) / SW);
            t1[q] = std::max(t0[q], int(std::min<long>(P, hi <= 0 ? 0 : (hi + SW - 1) / SW)));
          }
          // stride 2: both phases at once in vectors over [tv0, tv1), the edges one by one
          int tv0 = std::max(t0[0], t0[SW == 2 && phases == 2 ? 1 : 0]), tv1 = tv0;
          if (SW == 2 && phases == 2)
            while (tv1 + L <= std::min(t1[0], t1[1])) tv1 += L;
          for (int ci = 0; ci < nc; ++ci) {
            float* st = stage + long(ci) * srow;
            std::fill(st, st + srow, 0.0f);
            for (int qy = 0; qy < row_phases; ++qy)
              for (int j = 0; j < nrr + rext; ++j) {
                const int iy = (oy0 + j) * SH + qy - g.pad_h;
                if (iy < 0 || iy >= g.in_h) continue;
                const float* src = xin + (c0 + ci) * hw + long(iy) * g.in_w + col0;
                float* dst = st + qy * phases * Fs + j * P;
                if (SW == 1) {
                  // whole vectors (zeros past t1, where the padding or rows staged next go; a
                  // masked store, microcoded on AMD, made ResNet's dense 3x3s 11-19% slower)
                  copy_padded(dst + t0[0], src + t0[0], t1[0] - t0[0], (t1[0] - t0[0] + L - 1) / L);
                  continue;
                }
                for (int t = tv0; t < tv1; t += L) {
                  const vecf lo = loadv(src + 2 * t), hi = loadv(src + 2 * t + L);
                  storev(dst + t, every_second<0>(lo, hi));
                  storev(dst + Fs + t, every_second<1>(lo, hi));
                }
                for (int q = 0; q < phases; ++q) {
                  float* dq = dst + q * Fs;
                  const float* sq = src + q;
                  for (int t = t0[q]; t < std::min(t1[q], tv0); ++t) dq[t] = sq[long(SW) * t];
                  for (int t = std::max(t0[q], tv1); t < t1[q]; ++t) dq[t] = sq[long(SW) * t];
                }
              }
            }
          if (unrolled)  // tile t's (tap, channel) k at panel + (t K + k) vt L
            for (int i = 0, t = 0; i < extent; i += vt * L, ++t) {
              const int nv = std::min(vt, (extent - i + L - 1) / L);
              float* dst = panel + long(t) * K * vt * L;
              for (int ky = 0; ky < KH; ++ky)
                for (int kx = 0; kx < KW; ++kx)
                  for (int ci = 0; ci < nc; ++ci, dst += vt * L) {
                    const float* src = stage + long(ci) * srow + yoff[ky] + xoff[kx] + i;
                    for (int v = 0; v < nv; ++v) storev(dst + v * L, loadv(src + v * L));
                  }
            }
        }
        a.cstep = unrolled ? vt * L : srow;
        a.KH = unrolled ? 1 : KH;
        a.KW = unrolled ? 1 : KW;
        a.nci = unrolled ? K : nc;
        if (unrolled) a.xoff = a.yoff = &off0;
        a.first = c0 == 0;
        for (int r0 = 0; r0 < nrows; r0 += RT) {
          a.w = w + long(c0) * R + r0;
          for (int i = 0, t = 0; i < extent; i += vt * L, ++t) {
            a.acc = acc + r0 * Fup + i;
            a.x = unrolled ? panel + long(t) * K * vt * L : stage + i;
            portable_tile_rows(RT, std::min(vt, (extent - i + L - 1) / L), a);
          }
        }
      }
    }
    for (int r = 0; r < nrows; ++r)
      for (int j = 0; j < nrr; ++j) {
        const long o = long(co0 + r) * ohw + long(oy0 + j) * g.out_w + x0;
        portable_store(acc + r * Fup + j * P, ep.bias ? ep.bias[co0 + r] : 0.0f,
                       ep.residual ? ep.residual + n * g.out_size() + o : nullptr, ep.act, out + n * g.out_image() + o, len);
      }
  }
}

}  // namespace typenet::kernels::detail
