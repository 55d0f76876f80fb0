#pragma once
// What a convolution applies as it stores its output: a bias (batch norm folded into it), a
// residual add and a pointwise activation, y = act(conv + bias[c] + residual). Each activation is
// written as PyTorch's CPU kernel writes it, in float, and keeps NaN as PyTorch does (NaN in, NaN
// out); the layers' own scalar functions (layers/relu6.hpp, ...) are the reference.
#include <cmath>

#include <typenet/kernels/simd.hpp>

#if defined(__AVX512F__) && defined(__FMA__)
#include <immintrin.h>
#endif

namespace typenet::kernels {

enum class activation : unsigned char { none, relu, relu6, hardsigmoid, hardswish, sigmoid, silu };

struct epilogue {
  const float* bias = nullptr;      // [out_c] (BN folded into the weights and this bias)
  const float* residual = nullptr;  // same shape as out; may be the same pointer as out
  activation act = activation::none;
};

// One float. The comparisons are written so that a NaN (every comparison false) passes through.
inline float activate(activation a, float x) {
  auto relu6 = [](float v) { return v < 0.0f ? 0.0f : v > 6.0f ? 6.0f : v; };
  switch (a) {
    case activation::none: return x;
    case activation::relu: return x < 0.0f ? 0.0f : x;
    case activation::relu6: return relu6(x);
    case activation::hardsigmoid: return relu6(x + 3.0f) / 6.0f;
    case activation::hardswish: return x * relu6(x + 3.0f) / 6.0f;
    case activation::sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case activation::silu: return x / (1.0f + std::exp(-x));
  }
  return x;
}

namespace detail {
// exp on every lane: Cephes' expf polynomial (about 1 ulp), as exp512 below. x is clamped to
// +-100 (NaN kept: comparisons are false for it) and 2^n applied as two factors, so that
// overflow gives inf and underflow 0, as std::exp.
inline vecf exp_lanes(vecf x) {
  typedef int veci __attribute__((vector_size(vlanes * sizeof(int))));
  const vecf big = splat(100.0f), small = splat(-100.0f), round = splat(12582912.0f);  // 1.5 x 2^23
  x = x > big ? big : x;
  x = x < small ? small : x;
  vecf n = (x * splat(1.44269504088896341f) + round) - round;  // nearest integer
  n = n == n ? n : vecf{};                                      // (NaN: no conversion of it)
  vecf r = x - n * splat(0.693359375f);                         // x - n ln2, in two parts
  r = r - n * splat(-2.12194440e-4f);
  vecf p = splat(1.9875691500e-4f);
  p = p * r + splat(1.3981999507e-3f);
  p = p * r + splat(8.3334519073e-3f);
  p = p * r + splat(4.1665795894e-2f);
  p = p * r + splat(1.6666665459e-1f);
  p = p * r + splat(5.0000001201e-1f);
  p = (p * r) * r + (r + splat(1.0f));
  const veci ni = __builtin_convertvector(n, veci), half = ni >> 1;
  return p * vecf((half + 127) << 23) * vecf((ni - half + 127) << 23);
}
// activate() on every lane, with the same operations (x / 6, not x * (1 / 6)) but exp_lanes for
// std::exp.
inline vecf activate_lanes(activation a, vecf x) {
  const vecf zero = {}, one = splat(1.0f), six = splat(6.0f), three = splat(3.0f);
  auto relu6 = [&](vecf v) {  // comparisons false for NaN: NaN kept
    v = v < zero ? zero : v;
    return v > six ? six : v;
  };
  switch (a) {
    case activation::none: return x;
    case activation::relu: return x < zero ? zero : x;
    case activation::relu6: return relu6(x);
    case activation::hardsigmoid: return relu6(x + three) / six;
    case activation::hardswish: return x * relu6(x + three) / six;
    case activation::sigmoid: return one / (one + exp_lanes(zero - x));
    case activation::silu: return x / (one + exp_lanes(zero - x));
  }
  return x;
}
}  // namespace detail

#if defined(__AVX512F__) && defined(__FMA__)
namespace detail {

// max(a, b) and min(a, b) that return b when either is NaN (vmaxps / vminps), in their masked
// form: GCC 12's unmasked intrinsics start from _mm512_undefined_ps, which -Wmaybe-uninitialized
// reports in every kernel that inlines them.
inline __m512 max_nan_b(__m512 a, __m512 b) { return _mm512_mask_max_ps(b, 0xffff, a, b); }
inline __m512 min_nan_b(__m512 a, __m512 b) { return _mm512_mask_min_ps(b, 0xffff, a, b); }

// exp(x) for 16 floats, Cephes' expf polynomial (about 1 ulp). scalef does 2^n without overflow
// tricks (+-inf and 0 come out right); x is first clamped to +-100 so that +-inf do not make
// inf - inf, with max / min operand order that lets NaN through (vmaxps and vminps return their
// second operand when either is NaN).
inline __m512 exp512(__m512 x) {
  x = min_nan_b(_mm512_set1_ps(100.0f), max_nan_b(_mm512_set1_ps(-100.0f), x));
  // The masked forms with a full mask: the unmasked intrinsics start from _mm512_undefined_ps,
  // which GCC 12 reports as -Wmaybe-uninitialized.
  const __m512 xl = _mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f));
  const __m512 n = _mm512_mask_roundscale_ps(xl, __mmask16(0xFFFF), xl, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);  // x - n ln2, in two parts
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_fmadd_ps(_mm512_mul_ps(p, r), r, _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_mask_scalef_ps(p, __mmask16(0xFFFF), p, n);
}

inline __m512 relu6_512(__m512 y) {
  return min_nan_b(_mm512_set1_ps(6.0f), max_nan_b(_mm512_setzero_ps(), y));
}

inline __m512 activate_rare(activation a, __m512 y) {  // not none or relu
  const __m512 one = _mm512_set1_ps(1.0f), sixth = _mm512_set1_ps(1.0f / 6.0f);  // x / 6 within an ulp
  switch (a) {
    case activation::relu6: return relu6_512(y);
    case activation::hardsigmoid: return _mm512_mul_ps(relu6_512(_mm512_add_ps(y, _mm512_set1_ps(3.0f))), sixth);
    case activation::hardswish:
      return _mm512_mul_ps(_mm512_mul_ps(y, relu6_512(_mm512_add_ps(y, _mm512_set1_ps(3.0f)))), sixth);
    case activation::sigmoid: return _mm512_div_ps(one, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), y))));
    case activation::silu: return _mm512_div_ps(y, _mm512_add_ps(one, exp512(_mm512_sub_ps(_mm512_setzero_ps(), y))));
    default: return y;
  }
}

}  // namespace detail

// A kernel's store in two steps: activate_in_register while the values are still in registers
// (inline: the activations of a few instructions), then, if activated_after_store, activate_stored
// on each vector just stored (in L1): sigmoid and silu (an exp and a division) are out of line,
// and a call would spill every live accumulator of a register tile around it, so they are called
// after the tile's last store.
inline bool activated_after_store(activation a) { return a == activation::sigmoid || a == activation::silu; }
// ReLU keeps NaN: vmaxps returns its second operand, y, when either is NaN.
inline __m512 activate_in_register(activation a, __m512 y) {
  if (a == activation::none) return y;
  if (a == activation::relu) return detail::max_nan_b(_mm512_setzero_ps(), y);
  return activated_after_store(a) ? y : detail::activate_rare(a, y);
}
// y[l] = act(y[l]) for the lanes l of m.
[[gnu::noinline]] inline void activate_stored(activation a, float* y, __mmask16 m) {
  _mm512_mask_storeu_ps(y, m, detail::activate_rare(a, _mm512_maskz_loadu_ps(m, y)));
}
#endif

}  // namespace typenet::kernels
