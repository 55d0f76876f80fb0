#pragma once
// One SIMD register of floats as a GCC / Clang vector extension, at the build's widest width: 16
// lanes with AVX-512, 8 with AVX (AVX2 + FMA machines: Zen 2/3, Haswell to Alder Lake), else 4
// (SSE2, NEON). The portable kernels (kernels/portable.hpp, elementwise, pooling, linear) are
// written on it once for every width; the AVX-512 kernels keep their intrinsics (masks, permutes,
// gathers that no portable form reaches). `a * b + c` becomes one FMA where the target has them
// (GCC contracts by default in GNU mode, Clang within one expression).
#include <cstring>
#include <utility>
#if defined(__AVX__)
#include <immintrin.h>
#endif

namespace typenet::kernels::detail {

#if defined(__AVX512F__)
constexpr int vlanes = 16;
#elif defined(__AVX__)
constexpr int vlanes = 8;
#else
constexpr int vlanes = 4;
#endif
typedef float vecf __attribute__((vector_size(vlanes * sizeof(float))));

// Loads and stores of any alignment (a memcpy is one unaligned move).
inline vecf loadv(const float* p) {
  vecf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void storev(float* p, vecf v) { std::memcpy(p, &v, sizeof v); }
// Lanes [lo, hi) from p + lo .. p + hi (0 <= lo <= hi <= vlanes), the others 0, touching no memory
// outside (a vector that hangs over a row's borders: depthwise padding); loadv_n and storev_n: the
// first n lanes, a row's last n % vlanes pixels (through a vector on the stack and two memmove
// calls, these were a fifth of a 28x28 grouped 3x3's time).
#if defined(__AVX512F__)
inline __mmask16 lanes_between(int lo, int hi) { return __mmask16(((1u << hi) - 1) & ~((1u << lo) - 1)); }
inline vecf loadv_range(const float* p, int lo, int hi) { return vecf(_mm512_maskz_loadu_ps(lanes_between(lo, hi), p)); }
inline void storev_n(float* p, vecf v, int n) { _mm512_mask_storeu_ps(p, lanes_between(0, n), __m512(v)); }
#elif defined(__AVX__)
inline __m256i lanes_below(int n) {
  alignas(32) static constexpr int ones_then_zeros[16] = {-1, -1, -1, -1, -1, -1, -1, -1};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ones_then_zeros + 8 - n));
}
inline vecf loadv_range(const float* p, int lo, int hi) {
  const __m256 m = _mm256_andnot_ps(_mm256_castsi256_ps(lanes_below(lo)), _mm256_castsi256_ps(lanes_below(hi)));
  return vecf(_mm256_maskload_ps(p, _mm256_castps_si256(m)));
}
// (A masked store is microcoded on AMD: for a row's last lanes only, never in a loop.)
inline void storev_n(float* p, vecf v, int n) { _mm256_maskstore_ps(p, lanes_below(n), __m256(v)); }
#else
inline vecf loadv_range(const float* p, int lo, int hi) {
  vecf v = {};
  for (int l = lo; l < hi; ++l) v[l] = p[l];
  return v;
}
inline void storev_n(float* p, vecf v, int n) {
  for (int l = 0; l < n; ++l) p[l] = v[l];
}
#endif
inline vecf loadv_n(const float* p, int n) { return loadv_range(p, 0, n); }
// nv whole vectors at dst: src[0, m) then zeros (0 <= m <= nv vlanes), src not read past m.
// (Inline: a memmove call per short row cost more than its copy.)
inline void copy_padded(float* dst, const float* src, int m, int nv) {
  for (int v = 0, i = 0; v < nv; ++v, i += vlanes)
    storev(dst + i, i + vlanes <= m ? loadv(src + i) : loadv_n(src + i, i < m ? m - i : 0));
}
// s in every lane (not vecf{} + s: 0 + s is an add, as -0 + 0 = +0)
inline vecf splat(float s) {
  vecf v;
  for (int l = 0; l < vlanes; ++l) v[l] = s;
  return v;
}
// max(v, 0) as PyTorch's relu: NaN stays NaN (a NaN compares false, so it is kept), -0 stays -0.
inline vecf max0(vecf v) {
  const vecf z = {};
  return v < z ? z : v;
}
inline float max0(float v) { return v < 0.0f ? 0.0f : v; }
// Lanes Q, Q + 2, Q + 4, ... of the 2 vlanes floats a, b (Q = 0: the even ones, 1: the odd ones).
template <int Q, std::size_t... I>
inline vecf every_second(vecf a, vecf b, std::index_sequence<I...>) {
  return __builtin_shufflevector(a, b, (2 * int(I) + Q)...);
}
template <int Q>
inline vecf every_second(vecf a, vecf b) {
  return every_second<Q>(a, b, std::make_index_sequence<vlanes>{});
}
inline float hsum(vecf v) {
  float s = 0.0f;
  for (int l = 0; l < vlanes; ++l) s += v[l];
  return s;
}

}  // namespace typenet::kernels::detail
