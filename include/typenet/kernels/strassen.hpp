#pragma once
// One level of Strassen's algorithm for dense 1x1 convolutions on images of 64 to 196 pixels
// (ResNe(X)t's stage 3): seven products of quadrants instead of eight, 7/8 of the multiply-adds.
//
// A 1x1 convolution of one image is a matrix product Y = W X (W: output x input channels, X:
// input channels x pixels). With each matrix split into 2 x 2 quadrants (channel and pixel halves):
//   M1 = (W11 + W22)(X11 + X22)   M2 = (W21 + W22) X11   M3 = W11 (X12 - X22)   M4 = W22 (X21 - X11)
//   M5 = (W11 + W12) X22   M6 = (W21 - W11)(X11 + X12)   M7 = (W12 - W22)(X21 + X22)
//   Y11 = M1 + M4 - M5 + M7   Y12 = M3 + M5   Y21 = M2 + M4   Y22 = M1 - M2 + M3 + M6
// The weights' sums are made as the oc tile loads them (oc_tile's Sum: one more load and an add
// per 16 weights, beside 14 FMAs), so the packed weights are the four quadrants, no larger than
// the plain packing. The input's sums go to the call's scratch, once per image; then per two
// blocks of 32 output channels the seven products go to the scratch too and are combined at once,
// with bias, residual and activation, into the output.
//
// Rounding differs from the direct product's (the sums round): within 2e-5 of the largest output
// in tests/unit/kernels_fast.cpp, and ResNeXt-50 keeps its torchvision parity. An image whose
// sums are not all finite takes the direct product, so that NaN and infinities propagate as in
// PyTorch (each output pixel from its own input pixel only).
//
// Only a call run by one thread (part {0, 1}: one core, or a batch run image by image) takes
// Strassen; parts that share a call run the direct product on the same packing (kernels/pointwise.hpp
// with Quadrants). Measured on ResNeXt-50 with the choice toggled in one binary (AMD Zen 4, 2
// cores; the first version, one output block per pass): batch 1 on one thread 79.93 -> 79.31 ms,
// batch 8 on two threads (stage 3 image by image) 320.7 -> 317.0 ms. With the blocks split over
// two threads (a phase for the sums, then the blocks) its layers took 12.40 ms against the direct
// product's 11.86: a pass's operands, 7 x K2 x N2 floats (1.4 MB for stage 3), outgrow a core's L2.
#include <algorithm>
#include <stdexcept>

#include <typenet/kernels/geometry.hpp>
#include <typenet/kernels/oc_tile.hpp>
#include <typenet/kernels/pointwise.hpp>

namespace typenet::kernels {

// The layers its kernels can run: 1x1, stride 1, no padding, no groups, channel halves of whole
// oc blocks. Where the kernels exist: AVX-512.
constexpr bool strassen_applies(const conv_geometry& g) {
#if defined(__AVX512F__) && defined(__FMA__)
  return g.groups == 1 && g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 &&
         g.pad_w == 0 && g.out_c % (2 * oc_block) == 0 && g.in_c % 2 == 0;
#else
  return (void)g, false;
#endif
}
// The layers it takes, where it pays: 512 or more input channels, 64 to 196 pixels. Measured on
// one core against the direct kernel (bench/kernels.cpp, strassen/ beside conv/, one run): the
// 14x14 layers of ResNeXt-50 5-6% faster; 7x7 from 5% faster to 5% slower (halves of 25 pixels:
// oc tiles of 14 + 7 + 4); 28x28 within 1% with 512 input channels, 9% slower with 256; 56x56
// 17-57% slower. (An 8x8 layer, 2048 -> 1024, was 7% faster in a one-off harness.)
constexpr bool strassen_fast(const conv_geometry& g) {
  const long n = long(g.out_h) * g.out_w;
  return strassen_applies(g) && g.in_c >= 512 && n >= 64 && n <= 196;
}
// Where those layers pay in the model, by microarchitecture (ResNeXt-50, batch 1, one core): on
// Zen 4 (AMD family 25) 79.93 -> 79.31 ms; on Zen 5 (family 26) the direct product is as fast
// alone (bench/kernels.cpp: 1024 -> 512 1.08 vs 1.09 ms, 512 -> 1024 1.11-1.13 vs 1.18-1.22) and
// faster in the model, where Strassen's sums and products pass through the scratch: the stage-3
// 1x1 layers and layer4.0.conv1 took 16.62 ms against 17.86 (medians of 8 alternating runs;
// latency 0.976-0.982x in two such A/B runs, batch 8 on two threads 0.958x). Intel (not measured
// against it) keeps it.
constexpr bool strassen_pays_on(bool amd, int family) { return !(amd && family >= 26); }

// Packed weights: the quadrants W11, W12, W21, W22, each as kernels/pointwise.hpp packs a layer
// (blocks of 32 output channels, [block][input channel][32]): out_c x in_c floats in all.
constexpr long packed_strassen_weight_size(const conv_geometry& g) { return long(g.out_c) * g.in_c; }
// Output channel blocks that go through each product together (see strassen_avx512).
constexpr int strassen_blocks = 2;
// Scratch: the input's five sums (six for an odd pixel count), each in_c / 2 x (pixels + 1) / 2,
// then the seven products of strassen_blocks blocks, each 32 x (pixels + 1) / 2.
constexpr long strassen_sums_size(const conv_geometry& g) {
  const long n = long(g.out_h) * g.out_w;
  return (n % 2 ? 6L : 5L) * (g.in_c / 2) * ((n + 1) / 2);
}
constexpr long strassen_scratch_size(const conv_geometry& g) {
  const long n = long(g.out_h) * g.out_w;
  return strassen_sums_size(g) + strassen_blocks * 7L * oc_block * ((n + 1) / 2);
}

// weight_oihw: [out_c][in_c] (PyTorch's order, 1x1).
inline void pack_strassen_weights(const conv_geometry& g, const float* weight_oihw, float* packed) {
  const int M2 = g.out_c / 2, K2 = g.in_c / 2;
  for (int q = 0; q < 4; ++q)
    for (int b = 0; b < M2 / oc_block; ++b)
      for (int k = 0; k < K2; ++k)
        for (int r = 0; r < oc_block; ++r)
          *packed++ = weight_oihw[long(q / 2 * M2 + b * oc_block + r) * g.in_c + q % 2 * K2 + k];
}

#if defined(__AVX512F__) && defined(__FMA__)
#define TYPENET_STRASSEN_AVX512 1
namespace detail {

// f(p, mask) over [0, n) in vectors of 16 (the last one masked).
template <class F>
[[gnu::always_inline]] inline void strassen_vectors(long n, F f) {
  for (long p = 0; p < n; p += 16) f(p, __mmask16(n - p >= 16 ? 0xffff : (1u << (n - p)) - 1));
}

// Image `in` into `out`, with ep (its residual at this image). `sums`: the input's sums
// X11 + X22, X12 - X22, X21 - X11, X11 + X12, X21 + X22 and, for an odd pixel count, X22 (its
// last column, past the image, is zero: the second half is one pixel narrower than the first).
inline void strassen_avx512(const conv_geometry& g, const float* in, float* sums, const float* wp, const epilogue& ep,
                            float* out) {
  const int M2 = g.out_c / 2, K2 = g.in_c / 2, nb = M2 / oc_block;
  const long N = long(g.out_h) * g.out_w, N2 = (N + 1) / 2, n2 = N - N2, q = long(K2) * N2, Q = long(M2) * K2;
  const bool odd = n2 < N2;
  __m512 finite = _mm512_setzero_ps();  // stays 0 while every sum is finite (inf * 0, NaN * 0: NaN)
  for (int c = 0; c < K2; ++c) {
    const float* x1 = in + c * N;
    const float* x2 = in + (c + K2) * N;
    float* t = sums + c * N2;
    strassen_vectors(N2, [&](long i, __mmask16 m) {
      const __mmask16 m2 = __mmask16(m & ((n2 - i >= 16 ? 0xffffu : (1u << (n2 - i)) - 1)));  // the second half's
      const __m512 x11 = _mm512_maskz_loadu_ps(m, x1 + i), x12 = _mm512_maskz_loadu_ps(m2, x1 + N2 + i);
      const __m512 x21 = _mm512_maskz_loadu_ps(m, x2 + i), x22 = _mm512_maskz_loadu_ps(m2, x2 + N2 + i);
      const __m512 s1 = _mm512_add_ps(x11, x22), s3 = _mm512_sub_ps(x12, x22), s4 = _mm512_sub_ps(x21, x11);
      const __m512 s6 = _mm512_add_ps(x11, x12), s7 = _mm512_add_ps(x21, x22), zero = _mm512_setzero_ps();
      _mm512_mask_storeu_ps(t + i, m, s1);
      _mm512_mask_storeu_ps(t + q + i, m, s3);
      _mm512_mask_storeu_ps(t + 2 * q + i, m, s4);
      _mm512_mask_storeu_ps(t + 3 * q + i, m, s6);
      _mm512_mask_storeu_ps(t + 4 * q + i, m, s7);
      if (odd) _mm512_mask_storeu_ps(t + 5 * q + i, m, x22);
      // Every input element is in some sum. (Finite sums whose total overflows raise a false
      // alarm, which costs only the direct product.)
      const __m512 total = _mm512_add_ps(_mm512_add_ps(s1, s3), _mm512_add_ps(_mm512_add_ps(s4, s6), s7));
      finite = _mm512_add_ps(finite, _mm512_mul_ps(total, zero));
    });
  }
  // A NaN or an infinity in the input (or a sum that overflowed) would reach the pixels half an
  // image away through the sums: such an image takes the direct product, so that non-finite
  // values propagate as PyTorch's do (runtime/finite.hpp).
  if (_mm512_cmp_ps_mask(finite, finite, _CMP_UNORD_Q))
    return pointwise_avx512<1, true>(g, in, wp, ep, out, 1, part{});
  // X22 for M5: the input itself (planes N apart), or its padded copy
  const float* x22 = odd ? sums + 5 * q : in + K2 * N + N2;
  const long x22_step = odd ? N2 : N;
  // Blocks of 32 output channels go two at a time through each product, so that the second reads
  // the operand (K2 x N2: 200 KB for stage 3) from L2 rather than L3 (in ResNeXt-50 on one core
  // the stage-3 layers took 21.90 ms against 22.08 one block at a time, medians of 4 profiles).
  constexpr int PB = strassen_blocks;
  float* prod = sums + strassen_sums_size(g);
  const long P = oc_block * N2;  // one product: 32 x N2
  for (int b0 = 0; b0 < nb; b0 += PB) {
    const int nbk = std::min(PB, nb - b0);
    // The weights of the blocks PB on into L2 while these run (as kernels/pointwise.hpp does): a
    // block's four quadrants are eight stretches of K2 lines; product m fetches stretch m, the
    // combining loop the last one.
    auto stretch = [&](int b, int s) {
      const char* w = reinterpret_cast<const char*>(wp + long(b) * oc_block * K2);
      return w + (s / 2) * Q * long(sizeof(float)) + (s % 2) * K2 * 64L;
    };
    auto product = [&]<int Sum>(int m, const float* x, long hw, int w, int w2) {
      for (int j = 0; j < nbk; ++j) {
        const float* block = wp + long(b0 + j) * oc_block * K2;  // in W11; + Q: W12, 2Q: W21, 3Q: W22
        const bool ahead = b0 + j + PB < nb;
        oc_tile_args a{};
        a.in = x, a.hw = hw, a.K = K2, a.w = block + w * Q, a.w2 = block + w2 * Q, a.out = prod + (j * 7 + m) * P;
        a.ohw = N2, a.act = activation::none;
        a.pf = ahead ? stretch(b0 + j + PB, m) : reinterpret_cast<const char*>(a.w);
        a.pf_step = ahead ? 64 : 0;
        oc_run<1, false, Sum>(a, int(N2));
      }
    };
    enum { W11, W12, W21, W22 };
    product.template operator()<1>(0, sums, N2, W11, W22);          // M1
    product.template operator()<1>(1, in, N, W21, W22);             // M2 (X11)
    product.template operator()<0>(2, sums + q, N2, W11, W11);      // M3
    product.template operator()<0>(3, sums + 2 * q, N2, W22, W22);  // M4
    product.template operator()<1>(4, x22, x22_step, W11, W12);     // M5
    product.template operator()<-1>(5, sums + 3 * q, N2, W21, W11); // M6
    product.template operator()<-1>(6, sums + 4 * q, N2, W12, W22); // M7
    for (int j = 0; j < nbk; ++j) {
      const int b = b0 + j;
      const bool ahead = b + PB < nb;
      for (int r = 0; r < oc_block; ++r) {
        if (ahead)
          for (long l = K2 * r / oc_block; l < K2 * (r + 1) / oc_block; ++l) __builtin_prefetch(stretch(b + PB, 7) + 64 * l, 0, 2);
        const long o1 = long(b) * oc_block + r, o2 = o1 + M2;  // output channels of the two halves
        const float* m1 = prod + j * 7 * P + r * N2;
        const float *m2 = m1 + P, *m3 = m2 + P, *m4 = m3 + P, *m5 = m4 + P, *m6 = m5 + P, *m7 = m6 + P;
        const __m512 b1 = _mm512_set1_ps(ep.bias ? ep.bias[o1] : 0.0f), b2 = _mm512_set1_ps(ep.bias ? ep.bias[o2] : 0.0f);
        float* y1 = out + o1 * N;
        float* y2 = out + o2 * N;
        const float* r1 = ep.residual ? ep.residual + o1 * N : nullptr;
        const float* r2 = ep.residual ? ep.residual + o2 * N : nullptr;
        auto store = [&](float* y, const float* res, long i, __m512 v, __mmask16 m) {
          if (res) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, res + i));
          _mm512_mask_storeu_ps(y + i, m, activate_in_register(ep.act, v));
          if (activated_after_store(ep.act)) activate_stored(ep.act, y + i, m);
        };
        strassen_vectors(N2, [&](long i, __mmask16 m) {
          const __mmask16 mr = __mmask16(m & ((n2 - i >= 16 ? 0xffffu : (1u << (n2 - i)) - 1)));  // the second half's
          const __m512 v1 = _mm512_maskz_loadu_ps(m, m1 + i), v2 = _mm512_maskz_loadu_ps(m, m2 + i);
          const __m512 v3 = _mm512_maskz_loadu_ps(m, m3 + i), v4 = _mm512_maskz_loadu_ps(m, m4 + i);
          const __m512 v5 = _mm512_maskz_loadu_ps(m, m5 + i), v6 = _mm512_maskz_loadu_ps(m, m6 + i);
          const __m512 v7 = _mm512_maskz_loadu_ps(m, m7 + i);
          const float *r11 = r1, *r12 = r1 ? r1 + N2 : nullptr, *r21 = r2, *r22 = r2 ? r2 + N2 : nullptr;
          store(y1, r11, i, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(v1, v4), _mm512_sub_ps(v7, v5)), b1), m);
          store(y1 + N2, r12, i, _mm512_add_ps(_mm512_add_ps(v3, v5), b1), mr);
          store(y2, r21, i, _mm512_add_ps(_mm512_add_ps(v2, v4), b2), m);
          store(y2 + N2, r22, i, _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(v1, v3), _mm512_sub_ps(v6, v2)), b2), mr);
        });
      }
    }
  }
}

}  // namespace detail
#endif

// Part p of the convolution g (strassen_applies(g)) of `batch` images; wp: pack_strassen_weights;
// sums: strassen_scratch_size(g) floats. A part that is the whole call runs Strassen, image by
// image; parts that share a call run the direct product on the same packing (see the top).
inline void strassen_conv2d(const conv_geometry& g, const float* in, float* sums, const float* wp, const epilogue& ep,
                            float* out, int batch, part p = {}) {
#if defined(TYPENET_STRASSEN_AVX512)
  if (p.count > 1) return detail::pointwise_avx512<1, true>(g, in, wp, ep, out, batch, p);
  for (int n = 0; n < batch; ++n)
    detail::strassen_avx512(g, in + n * g.in_image(), sums, wp,
                            {ep.bias, ep.residual ? ep.residual + n * g.out_size() : nullptr, ep.act},
                            out + n * g.out_image());
#else
  (void)g, (void)in, (void)sums, (void)wp, (void)ep, (void)out, (void)batch, (void)p;
  throw std::logic_error("strassen_conv2d: needs AVX-512 (strassen_fast is false without it)");
#endif
}

}  // namespace typenet::kernels
